/// Groups records into events by request id (DESIGN.md "Correlation").
///
/// Time is the `EventClock`'s: a group closes when the clock's watermark passes its last record plus the idle
/// gap, or passes its end marker (an API response record, a Kubernetes `ResponseComplete`), or when it reaches `maxDuration`/`maxRecords` (the rest continues as a
/// new event flagged `split`), or when more than `maxOpenGroups` are open (the least recently seen closes,
/// flagged `partial`), or at the end of input. A record for a recently closed group opens a new one
/// flagged `late`; a record without a request id becomes an event of its own flagged `uncorrelated`.
/// The state is owned by the correlate stage's task alone, so it needs no lock or actor.
public struct Correlator {
    private let options: CorrelationOptions
    private var slots = ChunkedArray<GroupAccumulator?>()
    private var freeSlots: [Int32] = []
    private var index = RequestIDTable<Int32>()
    private var lruPrev: [Int32] = []
    private var lruNext: [Int32] = []
    private var lruHead: Int32 = -1
    private var lruTail: Int32 = -1
    private var scheduled: [Int64] = []
    private var generation: [UInt32] = []
    private var deadlines = MinHeap<Deadline.Order>()
    private var closedIDs: ClosedIDMemory
    private var clock: EventClock
    private var closed: [GroupAccumulator] = []
    private var finishOrder: [Int32]?
    private var finishCursor = 0

    /// Creates a correlator.
    public init(options: CorrelationOptions) {
        self.options = options
        clock = EventClock(options: options)
        closedIDs = ClosedIDMemory(capacity: max(options.maxOpenGroups, 65_536))
    }

    /// Number of groups open now.
    public var openGroups: Int { index.count }

    /// The watermark, or nil before the first timed record.
    public var watermark: Int64? { clock.watermark }

    /// Adds one record, closing whatever the watermark's advance makes due.
    mutating func add(_ record: consuming LogRecord) {
        absorb(&record)
    }

    /// Adds one record where it lies (a batch's slot), as `add` does, moving the fields its group keeps out of
    /// it; the rest is dropped with the batch.
    mutating func absorb(_ record: inout LogRecord) {
        // An outlier's time is already its input's reference time (`SkewGuard`), so it moves nothing.
        let skewed = record.clockSkewed
        // No time of its own and none to inherit: flagged, never silently dated 1970.
        let undated = !record.timeKnown && record.time == 0
        var marks: EventFlags = skewed ? .clockSkew : []
        if undated { marks.insert(.noTime) }
        let endsRequest = record.isEndMarker
        if clock.advance(with: record) { closeDue() }
        let hash = record.requestIDHash
        // The id is moved out of the record (a copy was a retain and a release of a string the other core made),
        // unless the group keeps its records whole.
        let keepsRecords = options.includeRecords || options.retainRecords
        guard let id = keepsRecords ? record.requestID : record.takeRequestID() else {
            var g = GroupAccumulator.opened(
                taking: &record, id: nil, embed: options.includeRecords, retain: options.retainRecords)
            if !options.oneEventPerRecord { g.flags.insert(.uncorrelated) }
            g.flags.formUnion(marks)
            closed.append(consume g)
            return
        }
        if let slot = index.value(hash: hash, id: id) {
            // The open group is changed where it lies: copying it out and back costs a retain and a release
            // of each of its fields per record.
            let s = Int(slot)
            let tooMany = options.maxRecords > 0 && Int(slots[s]!.records) >= options.maxRecords
            let tooLong =
                options.maxDuration > 0 && record.time.minus(saturating: slots[s]!.start) >= options.maxDuration
            if tooMany || tooLong {
                let part = slots[s]!.part + 1
                close(slot: slot, as: .split, remember: false)
                var next = GroupAccumulator.opened(
                    taking: &record, id: id, embed: options.includeRecords, retain: options.retainRecords)
                next.flags.insert(.split)
                next.part = part
                next.flags.formUnion(marks)
                open(consume next, id: id, hash: hash)
                return
            }
            slots[s]!.absorb(&record)
            slots[s]!.flags.formUnion(marks)
            let due = clock.deadline(of: slots[s]!)
            touch(slot)
            if due < scheduled[s] { schedule(slot, at: due) }
            // An end marker whose lateness has already passed (lateness 0) closes its group at once.
            if endsRequest { closeDue() }
            return
        }
        let time = record.time
        var g = GroupAccumulator.opened(
            taking: &record, id: id, embed: options.includeRecords, retain: options.retainRecords)
        g.flags.formUnion(marks)
        // Within the closed group's idle window the record belongs to it: flag the new group as its
        // continuation. Past that window the id was simply used again (a periodic task): a new event.
        if let previous = closedIDs.take(id, hash: hash), clock.continues(closedAt: previous.end, time: time) {
            g.flags.insert(previous.flags.contains(.partial) ? .partial : .late)
        }
        open(consume g, id: id, hash: hash)
        if index.count > options.maxOpenGroups, lruHead >= 0 {
            close(slot: lruHead, as: .partial)
        }
        if endsRequest { closeDue() }
    }

    /// Closes open groups at the end of input, oldest start first, at most `limit` per call (so their
    /// events can be handed on in bounded batches); call until `openGroups` is 0.
    mutating func finish(limit: Int = .max) {
        if finishOrder == nil {
            let keys = index.values.map { (slots[Int($0)]!.start, slots[Int($0)]!.firstSequence, $0) }
            finishOrder = keys.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }).map(\.2)
        }
        var closedNow = 0
        while closedNow < limit, let order = finishOrder, finishCursor < order.count {
            close(slot: order[finishCursor], as: [], remember: false)
            finishCursor += 1
            closedNow += 1
        }
    }

    /// What a checkpoint needs to rebuild this correlator: the highest time seen, the open groups (least
    /// recently seen first, each with its flags, part and records) and the ids recently closed. Needs
    /// `retainRecords`.
    func snapshot() -> CorrelatorSnapshot {
        var groups: [CorrelatorSnapshot.Group] = []
        var slot = lruHead
        while slot >= 0 {
            let g = slots[Int(slot)]!
            groups.append(.init(flags: g.flags, part: g.part, records: g.retained ?? []))
            slot = lruNext[Int(slot)]
        }
        return CorrelatorSnapshot(maxTime: clock.maxTime, groups: groups, closed: closedIDs.remembered)
    }

    /// Rebuilds the state a snapshot describes (on a fresh correlator): the same open groups, in the same
    /// order, with the same deadlines, and the same memory of closed ids.
    mutating func restore(_ s: CorrelatorSnapshot) {
        for group in s.groups {
            guard let first = group.records.first else { continue }
            var g = GroupAccumulator.opened(by: first, embed: options.includeRecords, retain: options.retainRecords)
            for r in group.records.dropFirst() { g.add(r) }
            g.flags = group.flags
            g.part = group.part
            if let id = g.requestID { open(g, id: id, hash: g.requestIDHash) }
        }
        for c in s.closed { closedIDs.remember(c.id, hash: RequestIDHash.of(c.id), end: c.end, flags: c.flags) }
        clock.restore(maxTime: s.maxTime)
    }

    /// Hands over the groups closed so far.
    mutating func drainClosed() -> [GroupAccumulator] {
        defer { closed.removeAll(keepingCapacity: true) }
        return closed
    }

    /// Every live input has been quiet for longer than the idle gap: whatever is open is complete as far as
    /// anyone can tell, so every open group closes (oldest start first); a record for one of them that comes
    /// later within the idle gap of its end is `late`.
    mutating func closeQuiet() {
        let order = index.values.sorted {
            (slots[Int($0)]!.start, slots[Int($0)]!.firstSequence) < (
                slots[Int($1)]!.start, slots[Int($1)]!.firstSequence
            )
        }
        for slot in order { close(slot: slot, as: []) }
    }

    private mutating func closeDue(watermark override: Int64? = nil) {
        guard let w = override ?? watermark else { return }
        while let top = deadlines.top, top.key < w {
            _ = deadlines.pop()
            let slot = Int(top.slot)
            guard generation[slot] == top.gen, scheduled[slot] == top.key else { continue }
            // A heap entry of the slot's generation is of an open group (closing a slot moves its generation on):
            // the group is read in place (`slots[slot]?.deadline` copied the whole group, a retain per field).
            let due = slots[slot]!.deadline(idle: clock.idle)
            if due >= w {
                schedule(top.slot, at: due)
            } else {
                close(slot: top.slot, as: [])
            }
        }
    }

    private mutating func open(_ g: consuming GroupAccumulator, id: String, hash: UInt64) {
        let due = clock.deadline(of: g)
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
            slots[Int(slot)] = consume g
        } else {
            slot = Int32(slots.count)
            slots.append(consume g)
            lruPrev.append(-1)
            lruNext.append(-1)
            scheduled.append(0)
            generation.append(0)
        }
        index.update(slot, hash: hash, id: id)
        linkAtTail(slot)
        schedule(slot, at: due)
    }

    private mutating func close(slot: Int32, as flags: EventFlags, remember: Bool = true) {
        guard let g = slots[Int(slot)].take() else { return }
        // Moved into `closed` at once and changed there: changed in a `var` and appended after, its bytes were
        // copied twice more (dump10k: 1.1M instructions of `memcpy`).
        closed.append(consume g)
        let last = closed.count - 1
        closed[last].flags.formUnion(flags)
        if let id = closed[last].requestID {
            let hash = closed[last].requestIDHash
            index.remove(hash: hash, id: id)
            if remember { closedIDs.remember(id, hash: hash, end: closed[last].end, flags: flags) }
        }
        unlink(slot)
        generation[Int(slot)] &+= 1
        freeSlots.append(slot)
    }

    private mutating func schedule(_ slot: Int32, at key: Int64) {
        scheduled[Int(slot)] = key
        deadlines.push(Deadline(key: key, slot: slot, gen: generation[Int(slot)]))
        // Groups closed early (partial, split) leave their deadlines behind; when stale entries outnumber
        // the open groups the heap is rebuilt, so memory follows the open groups, not the ids seen.
        if deadlines.count > 4 * max(index.count, 4096) {
            let generation = self.generation
            let scheduled = self.scheduled
            deadlines.compact { e in generation[Int(e.slot)] == e.gen && scheduled[Int(e.slot)] == e.key }
        }
    }

    private mutating func linkAtTail(_ slot: Int32) {
        lruPrev[Int(slot)] = lruTail
        lruNext[Int(slot)] = -1
        if lruTail >= 0 { lruNext[Int(lruTail)] = slot } else { lruHead = slot }
        lruTail = slot
    }

    private mutating func unlink(_ slot: Int32) {
        let p = lruPrev[Int(slot)]
        let n = lruNext[Int(slot)]
        if p >= 0 { lruNext[Int(p)] = n } else { lruHead = n }
        if n >= 0 { lruPrev[Int(n)] = p } else { lruTail = p }
    }

    private mutating func touch(_ slot: Int32) {
        guard lruTail != slot else { return }
        unlink(slot)
        linkAtTail(slot)
    }
}
