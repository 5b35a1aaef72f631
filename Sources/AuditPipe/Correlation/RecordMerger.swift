/// Merges the record streams of several inputs by event time (a k-way merge on each input's head record),
/// so one request's lines from different service files meet in the correlator whatever the file order.
/// Each input first passes its own `SkewGuard`, so a lone outlier merges at its input's reference time and
/// one bad clock neither holds an input back nor pulls it ahead. Dead letters are handed on as each input
/// batch is taken, which keeps their order stable.
struct RecordMerger {
    private struct Cursor {
        var batch: RecordBatch?
        var position = 0
        var done = false
        var guardState: SkewGuard
        /// The input said it is quiet (live, nothing for longer than the idle gap) and sent nothing since; it
        /// is left out of the merge once its batch is merged.
        var quiet = false
        /// Where the input's next batch starts (its last batch's `handedOnTo`).
        var handedOnTo: SourcePosition
        /// Commit accounting (`tracksPositions`): counts before the resume point the run started from, lines
        /// and records taken from the input since (merged, waiting in `batch` or held by the guard), dead
        /// letters handed on (the line numbers of those not yet counted).
        var base = LineCounts()
        var receivedLines: Int64 = 0
        var receivedRecords: Int64 = 0
        /// Of them, made by each text pattern, and with an unreadable time (the summary's pattern counts).
        var receivedPatterns = LineCounts()
        /// The time as read of the last timed record handed on (`inheritedTime(before:of:)`).
        var lastTimed: Int64?
        var deadCounted: Int64 = 0
        var deadLines: [Int64] = []
        var deadThrough: Int64 = -1
    }

    /// One step of the merge: records in event-time order, and whether every input still running is quiet.
    struct Step {
        var records: [LogRecord]
        var quiet: Bool
    }

    private var channels: [BoundedChannel<RecordBatch>]
    private var cursors: [Cursor]
    /// Makes each input's skew guard.
    private let eventClock: EventClock
    /// Rung by inputs as they send (live runs): what the merge waits on when every input is quiet.
    private let wakeups: InputWakeups?
    /// Heads by event time, then by their input's place in name order (`rank`): records of one time from
    /// several inputs merge in the same order whatever order the inputs were given or found in.
    private var heap = MinHeap<HeadOrder>()
    /// Heads by time, then rank, then input.
    private enum HeadOrder: HeapOrder {
        typealias Element = (time: Int64, rank: Int32, input: Int32)
        static func less(_ a: Element, _ b: Element) -> Bool { (a.time, a.rank, a.input) < (b.time, b.rank, b.input) }
    }
    /// Each input's name key (its file name, then its whole name) and its place among them all.
    private var keys: [[UInt8]]
    /// Each input's `nameKey`, stamped on its records.
    private var nameKeys: [UInt16]
    private var rank: [Int32]
    /// The inputs in name order.
    private var order: [Int32]
    /// Inputs with no head on the heap that are still running and not quiet: their batch ran out in the last
    /// call (they are refilled at the start of the next, so records already taken go on without waiting for
    /// a live input).
    private var unfilled: [Int32]
    /// Running inputs that are quiet, with no head on the heap: apart, so a step costs what changed, not the
    /// number of inputs.
    private var quietInputs = Set<Int32>()
    /// Inputs that went quiet with a batch already waiting behind the quiet mark: looked at in the next call.
    private var recheck: [Int32] = []
    /// Quiet was reported for the inputs now quiet; the next step waits for one of them instead.
    private var quietReported = false
    /// The time of the last record merged: what the inputs agree the time is, a witness for a jump one input
    /// could not confirm by its end.
    private var clock: Int64?
    /// Merge order of the next record (restored from a checkpoint on resume).
    var nextSequence: Int64 = 0
    /// Keep what a commit needs: resume points, counts before them, dead letters handed on.
    var tracksPositions = false
    /// Bytes handed on by the inputs so far.
    private(set) var bytesConsumed: Int64 = 0
    /// A checkpointed follower's stop (true once it is requested): the merge hands nothing more on, so what
    /// it holds back stays in the checkpoint, in its place, instead of being merged past a silent input.
    var pausing: (@Sendable () -> Bool)?
    /// A live merge waiting on a silent input returns an empty step at this wall-clock time (UTC
    /// nanoseconds), so its caller can commit what was taken meanwhile; needs `wakeups`, rung periodically.
    var yieldAt: Int64?

    init(channels: [BoundedChannel<RecordBatch>], clock: EventClock, wakeups: InputWakeups? = nil) {
        self.channels = channels
        self.eventClock = clock
        self.wakeups = wakeups
        self.cursors = (0..<channels.count).map { i in
            Cursor(
                guardState: clock.makeGuard(),
                handedOnTo: SourcePosition(input: Int32(i), line: 1, offset: 0))
        }
        self.unfilled = (0..<Int32(channels.count)).map { $0 }
        self.keys = channels.map { _ in [] }
        self.nameKeys = channels.map { _ in 0 }
        self.rank = (0..<Int32(channels.count)).map { $0 }
        self.order = rank
    }

    /// A record's `nameKey` for an input named `name`: 16 bits of a fixed hash of its file name (the same in
    /// every run; a followed file and its copy elsewhere have the same).
    static func nameKey(_ name: String) -> UInt16 {
        // As the event id names the file: a log and its gzipped copy rank alike.
        let base = Array(Enricher.idName(name).utf8)
        return UInt16(truncatingIfNeeded: base.withUnsafeBytes { RequestIDHash.hash($0) } >> 48)
    }

    /// The order key of an input named `name`: its file name, then the whole name.
    static func key(name: String) -> [UInt8] {
        let base = name.split(separator: "/").last.map(String.init) ?? name
        return Array(base.utf8) + [0] + Array(name.utf8)
    }

    /// Adds an input (a followed file that appeared): its index is the number of inputs before it. It joins
    /// the merge once it sent its first batch or said it is quiet.
    /// A resumed input brings its guard's reference time and the counts before its resume point.
    /// A resumed input also brings the records its last commit saved: `pending` (taken, not yet merged) go
    /// to the merge first, `held` back into its guard.
    mutating func add(
        _ channel: BoundedChannel<RecordBatch>, name: String = "", reference: Int64? = nil,
        counts: LineCounts = LineCounts(), pending: [LogRecord] = [], held: [LogRecord] = [],
        inheritedTime: Int64? = nil
    ) {
        channels.append(channel)
        let i = Int32(channels.count - 1)
        // Its place in name order (after inputs of the same name); the inputs after it move one place on, and
        // so do their heads on the heap, which keeps the heap's order.
        let key = Self.key(name: name)
        var lo = 0
        var hi = order.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let other = keys[Int(order[mid])]
            if key.lexicographicallyPrecedes(other) { hi = mid } else { lo = mid + 1 }
        }
        keys.append(key)
        nameKeys.append(Self.nameKey(name))
        rank.append(Int32(lo))
        order.insert(i, at: lo)
        if lo < order.count - 1 {
            for j in (lo + 1)..<order.count { rank[Int(order[j])] += 1 }
            heap.remap { [rank] in $0.rank = rank[Int($0.input)] }
        }
        var cursor = Cursor(
            guardState: eventClock.makeGuard(),
            handedOnTo: SourcePosition(input: i, line: counts.linesRead + 1, offset: counts.bytes))
        cursor.guardState.reference = reference
        cursor.guardState.restore(held: held)
        if !pending.isEmpty { cursor.batch = RecordBatch(input: i, records: pending, deadLetters: []) }
        cursor.base = counts
        cursor.lastTimed = inheritedTime
        cursors.append(cursor)
        unfilled.append(i)
    }

    /// What a commit saves for input `i`: the point it is read again from after a crash, and the records
    /// taken before that point which the merge has not handed on (waiting in its batch, held by its guard).
    /// Those are saved with the commit while their lines come to at most `maxSavedBytes`, so the commit
    /// covers everything taken (a file deleted after it loses nothing); beyond that the point is the first
    /// of them, to be read again from the file.
    func commitPoint(_ i: Int32, maxSavedBytes: Int) -> (point: SourcePosition, pending: [LogRecord], held: [LogRecord])
    {
        let c = cursors[Int(i)]
        var pending: [LogRecord] = []
        if let b = c.batch, c.position < b.records.count { pending = Array(b.records[c.position...]) }
        let held = c.guardState.heldRecords
        var size = 0
        for r in pending where size <= maxSavedBytes { size += r.raw?.count ?? maxSavedBytes + 1 }
        for r in held where size <= maxSavedBytes { size += r.raw?.count ?? maxSavedBytes + 1 }
        if size <= maxSavedBytes { return (c.handedOnTo, pending, held) }
        return (pending.first?.position ?? held.first?.position ?? c.handedOnTo, [], [])
    }

    /// Input `i`'s last accepted event time.
    func reference(_ i: Int32) -> Int64? { cursors[Int(i)].guardState.reference }

    /// The offset of the last dead letter input `i` handed on.
    func deadLettersThrough(_ i: Int32) -> Int64 { cursors[Int(i)].deadThrough }

    /// The time as read of input `i`'s last timed record before `point`: the time its next untimed lines
    /// inherit when it is read again from there (an outlier's is its stated time, as the parser read it).
    func inheritedTime(before point: SourcePosition, of i: Int32) -> Int64? {
        let k = Int(i)
        var time = cursors[k].lastTimed
        func take(_ r: borrowing LogRecord) {
            if r.timeKnown && r.position.offset < point.offset { time = r.statedTime ?? r.time }
        }
        // In the order they were read: the batch's rest, then what the guard holds (read after it).
        if let b = cursors[k].batch, cursors[k].position < b.records.count {
            for j in cursors[k].position..<b.records.count { take(b.records[j]) }
        }
        for r in cursors[k].guardState.heldRecords { take(r) }
        return time
    }

    /// Input `i`'s line counts before `point` (its `commitPoint`, later than any earlier one).
    mutating func counts(before point: SourcePosition, of i: Int32) -> LineCounts {
        let k = Int(i)
        let before = cursors[k].deadLines.prefix { $0 < point.line }.count
        cursors[k].deadCounted += Int64(before)
        cursors[k].deadLines.removeFirst(before)
        // Records taken from the input at or after the point (a commit that does not save them).
        var laterLines: Int64 = 0
        var laterRecords: Int64 = 0
        var patterns = cursors[k].base
        patterns.add(cursors[k].receivedPatterns)
        if point.offset < cursors[k].handedOnTo.offset {
            var after: [LogRecord] = cursors[k].guardState.heldRecords
            if let b = cursors[k].batch, cursors[k].position < b.records.count {
                after += b.records[cursors[k].position...]
            }
            for r in after where r.position.offset >= point.offset {
                laterLines += Int64(r.lineCount)
                laterRecords += 1
                if r.notes.pattern > 0 { patterns.count(r.notes, sign: -1) }
            }
        }
        var c = LineCounts()
        c.linesRead = point.line - 1
        c.recordLines = cursors[k].base.recordLines + cursors[k].receivedLines - laterLines
        c.records = cursors[k].base.records + cursors[k].receivedRecords - laterRecords
        c.deadLettered = cursors[k].base.deadLettered + cursors[k].deadCounted
        c.blank = c.linesRead - c.recordLines - c.deadLettered
        c.bytes = point.offset
        c.patternRecords = patterns.patternRecords
        c.unreadableTimes = patterns.unreadableTimes
        return c
    }

    /// Number of inputs.
    var inputCount: Int { channels.count }

    /// Ends every input's channel (a stop that takes nothing more): its reader's waiting send returns, and
    /// what it sends after is dropped, to be read again by the next run.
    func finishInputs() {
        for c in channels { c.finish() }
    }

    /// The next batch of up to `limit` merged records (sequence numbers assigned), or nil when every input
    /// is exhausted. A step with no records and `quiet` set says every running input has gone quiet (a
    /// quiet input is left out of the merge until it sends again). `deadLetters` receives rejected lines of
    /// each input batch as it is taken.
    mutating func next(limit: Int, deadLetters: (DeadLetter) -> Void) async -> Step? {
        if pausing?() == true { return nil }
        while true {
            // A quiet input that sent again rejoins: with wake-ups, those that rang since the last call (each
            // rings after it sends); without, every quiet input.
            let candidates = wakeups.map { $0.takeRung() + recheck } ?? quietInputs.sorted()
            recheck = []
            for i in candidates where quietInputs.contains(i) && channels[Int(i)].isReady {
                quietInputs.remove(i)
                cursors[Int(i)].quiet = false
                unfilled.append(i)
            }
            // Every running input that is not quiet must have its head on the heap before anything merges.
            let waiting = unfilled
            unfilled = []
            // Once one input was waited on until `yieldAt`, the others only take what they have (so a commit
            // covers it), and the step goes back to the caller, to commit.
            var gaveUp: [Int32] = []
            for i in waiting {
                if !cursors[Int(i)].quiet {
                    guard await refill(i, deadLetters, wait: gaveUp.isEmpty) else {
                        gaveUp.append(i)
                        continue
                    }
                }
                guard cursors[Int(i)].batch == nil && !cursors[Int(i)].done else { continue }
                quietInputs.insert(i)
                // Quiet by a batch that came with a later one behind it: no ring will tell of that one.
                if channels[Int(i)].isReady { recheck.append(i) }
            }
            if !gaveUp.isEmpty {
                unfilled = gaveUp + unfilled
                return pausing?() == true ? nil : Step(records: [], quiet: false)
            }
            // A stop while the inputs were refilled: an input ended by it has no head, so nothing merges.
            if pausing?() == true { return nil }
            if !heap.isEmpty { break }
            if quietInputs.isEmpty { return nil }
            if !quietReported {
                quietReported = true
                return Step(records: [], quiet: true)
            }
            // Every running input is quiet and that was said: wait for one of them to send again.
            if let wakeups {
                // Back to the caller after each wake-up: it may have inputs to add.
                await wakeups.wait()
                return Step(records: [], quiet: false)
            }
            for i in quietInputs.sorted() {
                await refill(i, deadLetters)
                if cursors[Int(i)].batch != nil || cursors[Int(i)].done { quietInputs.remove(i) }
                if !heap.isEmpty { break }
            }
            if !heap.isEmpty { break }
        }
        var out: [LogRecord] = []
        while out.count < limit, let top = heap.pop() {
            // Take a run from the head input while it stays at or before the next input's head:
            // one heap operation per run, and with one input the run is the whole batch.
            let i = Int(top.input)
            let bound = heap.top.map { ($0.time, $0.rank, $0.input) } ?? (Int64.max, Int32.max, Int32.max)
            let place = rank[i]
            // The run: records up to the bound (and the limit, unless the whole batch can be moved at once).
            let start = cursors[i].position
            let count = cursors[i].batch!.records.count
            let whole = out.isEmpty && start == 0
            var k = start
            repeat {
                k += 1
            } while k < count && (whole || out.count + (k - start) < limit)
                && (cursors[i].batch!.records[k].time, place, top.input) <= bound
            if whole && k == count {
                // Swapped out of the batch, not copied from it: `out` is then the records' only owner, and the
                // stamping below writes in place (`out = batch.take()!.records` left the batch holding them till
                // the end of the scope, and the first write copied every record, a retain of each field).
                var batch = cursors[i].batch.take()!
                swap(&out, &batch.records)
                if tracksPositions, let r = out.last(where: \.timeKnown) {
                    cursors[i].lastTimed = r.statedTime ?? r.time
                }
                let stamp = nameKeys[i]
                for j in out.indices {
                    out[j].sequence = nextSequence + Int64(j)
                    out[j].nameKey = stamp
                }
                nextSequence += Int64(count)
            } else {
                if out.isEmpty { out.reserveCapacity(limit) }
                // Moved out of the batch (their slots left vacant), not copied: the batch is dropped once spent.
                let tracks = tracksPositions
                let stamp = nameKeys[i]
                var lastTimed = cursors[i].lastTimed
                var sequence = nextSequence
                cursors[i].batch!.records.takeRecords(start..<k) { (r: consuming LogRecord) in
                    if tracks && r.timeKnown { lastTimed = r.statedTime ?? r.time }
                    r.sequence = sequence
                    r.nameKey = stamp
                    sequence += 1
                    out.append(consume r)
                }
                cursors[i].lastTimed = lastTimed
                nextSequence = sequence
            }
            cursors[i].position = k
            if k >= cursors[i].batch?.records.count ?? 0 {
                // Spent: dropped here, since a quiet input is not refilled (which would drop it) until it
                // sends again, and the merge counts an input with a batch as having its head on the heap.
                cursors[i].batch = nil
                cursors[i].position = 0
                unfilled.append(top.input)
                break
            }
            // Stopped or waited long on this input (no head from it now): the next inputs' heads may be later
            // than its next records, so the step ends here.
            guard await refill(top.input, deadLetters), pausing?() != true else {
                if cursors[i].batch == nil && !cursors[i].done { unfilled.append(top.input) }
                break
            }
        }
        if let last = out.last { clock = last.time }
        return Step(records: out, quiet: false)
    }

    /// Ensures input `i` has a head record on the heap, fetching batches as needed; stops early, with no
    /// batch, when the input reports it is quiet. False when it gave up waiting at `yieldAt` (no head, not
    /// quiet: the input is to be refilled again).
    @discardableResult
    private mutating func refill(_ i: Int32, _ deadLetters: (DeadLetter) -> Void, wait: Bool = true) async -> Bool {
        let k = Int(i)
        while !cursors[k].done {
            if let b = cursors[k].batch, cursors[k].position < b.records.count {
                heap.push((b.records[cursors[k].position].time, rank[k], i))
                return true
            }
            cursors[k].batch = nil
            cursors[k].position = 0
            if let wakeups, let yieldAt {
                while pausing?() == true || !channels[k].isReady {
                    if !wait || RunControl.now() >= yieldAt || pausing?() == true { return false }
                    await wakeups.wait()
                }
            }
            guard var next = await channels[k].receive() else {
                if pausing?() == true {
                    // A stop: what the guard holds stays held, in the checkpoint.
                    cursors[k].done = true
                    return true
                }
                var rest: [LogRecord] = []
                // Another input's head near a jump this input could not confirm vouches for it.
                let witness =
                    cursors[k].guardState.firstHeld.flatMap { h in
                        heap.items.map(\.time).min { $0.gap(to: h.time) < $1.gap(to: h.time) }
                    } ?? clock
                cursors[k].guardState.release(into: &rest, witness: witness)
                if rest.isEmpty {
                    cursors[k].done = true
                    return true
                }
                cursors[k].batch = RecordBatch(input: i, records: rest, deadLetters: [])
                continue
            }
            for d in next.deadLetters { deadLetters(d) }
            if tracksPositions {
                for d in next.deadLetters {
                    cursors[k].deadLines.append(d.position.line)
                    cursors[k].deadThrough = max(cursors[k].deadThrough, d.position.offset)
                }
            }
            bytesConsumed += max(0, next.handedOnTo.offset - cursors[k].handedOnTo.offset)
            cursors[k].handedOnTo = next.handedOnTo
            if tracksPositions {
                for r in next.records {
                    cursors[k].receivedLines += Int64(r.lineCount)
                    if r.notes.pattern > 0 { cursors[k].receivedPatterns.count(r.notes, sign: 1) }
                }
                cursors[k].receivedRecords += Int64(next.records.count)
            }
            var admitted: [LogRecord] = []
            var records: [LogRecord] = []
            swap(&records, &next.records)
            cursors[k].guardState.admit(records, into: &admitted)
            if next.quiet { cursors[k].guardState.releaseIfPlausible(into: &admitted, now: UTCTime.now()) }
            // A quiet input's last records may come with the quiet mark: it is quiet once they are merged.
            cursors[k].quiet = next.quiet
            if !admitted.isEmpty { quietReported = false }
            if !admitted.isEmpty {
                next.records = admitted
                cursors[k].batch = next
            } else if next.quiet {
                return true
            }
        }
        return true
    }
}
