/// Merges the record streams of several inputs by event time (a k-way merge on each input's head record),
/// so one request's lines from different service files meet in the correlator whatever the file order.
/// A head more than `maxSkew` ahead of the merge point is taken at once, so one bad clock cannot hold an
/// input back. Dead letters are handed on as each input batch is taken, which keeps their order stable.
struct RecordMerger {
    private struct Cursor {
        var batch: RecordBatch?
        var position = 0
        var done = false
    }

    private let channels: [BoundedChannel<RecordBatch>]
    private var cursors: [Cursor]
    private var heap = MinHeap<(time: Int64, input: Int32)>(less: { ($0.time, $0.input) < ($1.time, $1.input) })
    private var started = false
    /// An input whose batch ran out in the last call; it is refilled at the start of the next, so records
    /// already taken are handed on without waiting for that input's next batch (a live stream may be quiet).
    private var exhausted: Int32?
    private var lastTime = Int64.min
    private var nextSequence: Int64 = 0
    private let maxSkew: Int64

    init(channels: [BoundedChannel<RecordBatch>], maxSkew: Int64) {
        self.channels = channels
        self.cursors = Array(repeating: Cursor(), count: channels.count)
        self.maxSkew = maxSkew
    }

    /// The next batch of up to `limit` merged records (sequence numbers assigned), or nil when every input
    /// is exhausted. `deadLetters` receives rejected lines of each input batch as it is taken.
    mutating func next(limit: Int, deadLetters: (DeadLetter) -> Void) async -> [LogRecord]? {
        if !started {
            started = true
            for i in 0..<channels.count { await refill(Int32(i), deadLetters) }
        }
        if let i = exhausted.take() { await refill(i, deadLetters) }
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
                let t = cursors[i].batch!.records[k].time
                if lastTime == .min || (t > lastTime && t <= lastTime &+ maxSkew) { lastTime = t }
                k += 1
            } while k < count && (whole || out.count + (k - start) < limit)
                && (mergeKey(cursors[i].batch!.records[k].time), top.input) <= bound
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
                exhausted = top.input
                break
            }
            await refill(top.input, deadLetters)
        }
        return out.isEmpty ? nil : out
    }

    /// The time a head record is merged at: its own, or the merge point when it is more than `maxSkew` ahead.
    private func mergeKey(_ t: Int64) -> Int64 {
        lastTime != .min && t > lastTime &+ maxSkew ? lastTime : t
    }

    /// Ensures input `i` has a head record on the heap, fetching batches as needed.
    private mutating func refill(_ i: Int32, _ deadLetters: (DeadLetter) -> Void) async {
        let k = Int(i)
        while !cursors[k].done {
            if let b = cursors[k].batch, cursors[k].position < b.records.count {
                heap.push((mergeKey(b.records[cursors[k].position].time), i))
                return
            }
            cursors[k].batch = nil
            cursors[k].position = 0
            guard let next = await channels[k].receive() else {
                cursors[k].done = true
                return
            }
            for d in next.deadLetters { deadLetters(d) }
            cursors[k].batch = next
        }
    }
}
