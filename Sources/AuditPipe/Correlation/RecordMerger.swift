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
        /// and records merged since, dead letters handed on (the line numbers of those not yet counted).
        var base = LineCounts()
        var mergedLines: Int64 = 0
        var mergedRecords: Int64 = 0
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
    private var heap = MinHeap<(time: Int64, input: Int32)>(less: { ($0.time, $0.input) < ($1.time, $1.input) })
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
    }

    /// Adds an input (a followed file that appeared): its index is the number of inputs before it. It joins
    /// the merge once it sent its first batch or said it is quiet.
    /// A resumed input brings its guard's reference time and the counts before its resume point.
    mutating func add(
        _ channel: BoundedChannel<RecordBatch>, reference: Int64? = nil, counts: LineCounts = LineCounts()
    ) {
        channels.append(channel)
        let i = Int32(channels.count - 1)
        var cursor = Cursor(
            guardState: eventClock.makeGuard(),
            handedOnTo: SourcePosition(input: i, line: counts.linesRead + 1, offset: counts.bytes))
        cursor.guardState.reference = reference
        cursor.base = counts
        cursors.append(cursor)
        unfilled.append(i)
    }

    /// Where input `i` is to be read again from after a crash: its first record not yet handed on by the
    /// merge (one waiting in its batch, or held by its guard), else where its next batch starts.
    func resumePoint(_ i: Int32) -> SourcePosition {
        let c = cursors[Int(i)]
        if let b = c.batch, c.position < b.records.count { return b.records[c.position].position }
        return c.guardState.firstHeld?.position ?? c.handedOnTo
    }

    /// Input `i`'s last accepted event time.
    func reference(_ i: Int32) -> Int64? { cursors[Int(i)].guardState.reference }

    /// The offset of the last dead letter input `i` handed on.
    func deadLettersThrough(_ i: Int32) -> Int64 { cursors[Int(i)].deadThrough }

    /// Input `i`'s line counts before `point` (a resume point of this run, later than any earlier one).
    mutating func counts(before point: SourcePosition, of i: Int32) -> LineCounts {
        let k = Int(i)
        let before = cursors[k].deadLines.prefix { $0 < point.line }.count
        cursors[k].deadCounted += Int64(before)
        cursors[k].deadLines.removeFirst(before)
        var c = LineCounts()
        c.linesRead = point.line - 1
        c.recordLines = cursors[k].base.recordLines + cursors[k].mergedLines
        c.records = cursors[k].base.records + cursors[k].mergedRecords
        c.deadLettered = cursors[k].base.deadLettered + cursors[k].deadCounted
        c.blank = c.linesRead - c.recordLines - c.deadLettered
        c.bytes = point.offset
        return c
    }

    /// Number of inputs.
    var inputCount: Int { channels.count }

    /// The next batch of up to `limit` merged records (sequence numbers assigned), or nil when every input
    /// is exhausted. A step with no records and `quiet` set says every running input has gone quiet (a
    /// quiet input is left out of the merge until it sends again). `deadLetters` receives rejected lines of
    /// each input batch as it is taken.
    mutating func next(limit: Int, deadLetters: (DeadLetter) -> Void) async -> Step? {
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
            for i in waiting {
                if !cursors[Int(i)].quiet { await refill(i, deadLetters) }
                guard cursors[Int(i)].batch == nil && !cursors[Int(i)].done else { continue }
                quietInputs.insert(i)
                // Quiet by a batch that came with a later one behind it: no ring will tell of that one.
                if channels[Int(i)].isReady { recheck.append(i) }
            }
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
            let bound = heap.top.map { ($0.time, $0.input) } ?? (Int64.max, Int32.max)
            // The run: records up to the bound (and the limit, unless the whole batch can be moved at once).
            let start = cursors[i].position
            let count = cursors[i].batch!.records.count
            let whole = out.isEmpty && start == 0
            var k = start
            repeat {
                k += 1
            } while k < count && (whole || out.count + (k - start) < limit)
                && (cursors[i].batch!.records[k].time, top.input) <= bound
            if tracksPositions {
                for j in start..<k {
                    cursors[i].mergedLines += Int64(cursors[i].batch!.records[j].lineCount)
                }
                cursors[i].mergedRecords += Int64(k - start)
            }
            if whole && k == count {
                out = cursors[i].batch.take()!.records
                for j in out.indices { out[j].sequence = nextSequence + Int64(j) }
                nextSequence += Int64(count)
            } else {
                if out.isEmpty { out.reserveCapacity(limit) }
                for j in start..<k {
                    var r = cursors[i].batch!.records[j]
                    r.sequence = nextSequence
                    nextSequence += 1
                    out.append(r)
                }
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
            await refill(top.input, deadLetters)
        }
        if let last = out.last { clock = last.time }
        return Step(records: out, quiet: false)
    }

    /// Ensures input `i` has a head record on the heap, fetching batches as needed; stops early, with no
    /// batch, when the input reports it is quiet.
    private mutating func refill(_ i: Int32, _ deadLetters: (DeadLetter) -> Void) async {
        let k = Int(i)
        while !cursors[k].done {
            if let b = cursors[k].batch, cursors[k].position < b.records.count {
                heap.push((b.records[cursors[k].position].time, i))
                return
            }
            cursors[k].batch = nil
            cursors[k].position = 0
            guard var next = await channels[k].receive() else {
                var rest: [LogRecord] = []
                // Another input's head near a jump this input could not confirm vouches for it.
                let witness =
                    cursors[k].guardState.firstHeld.flatMap { h in
                        heap.items.map(\.time).min { abs($0 &- h.time) < abs($1 &- h.time) }
                    } ?? clock
                cursors[k].guardState.release(into: &rest, witness: witness)
                if rest.isEmpty {
                    cursors[k].done = true
                    return
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
                return
            }
        }
    }
}
