/// The per-input half of the event-time clock (DESIGN.md "Correlation"): tells a lone outlier — a record
/// whose clock was wrong — from a real jump in time, using the input's own next record as the witness.
///
/// A timed record within `maxSkew` of the input's reference time (its last accepted time) is accepted at
/// once. One further away is held back until the input's next timed record shows what it was:
/// - a jump **up** is confirmed when the next record does not fall back more than `maxSkew` below it, a jump
///   **down** when the next record does not climb back more than `maxSkew` above it (a quiet night, a week
///   without logs, a host clock reset: later records stay where the jump went);
/// - otherwise the held record was an outlier (a far-future or epoch-0 line between ordinary ones): it is
///   flagged `clockSkew` and takes the reference time as its event time, so it never moves the watermark
///   and its input's order and grouping are unchanged. Its stated time is kept in `statedTime`;
/// - the input's first timed record is held the same way: it is an outlier when its successor lies more
///   than `maxSkew` below it (a future first line), and accepted otherwise;
/// - at the end of the input, or when a live input has been quiet longer than the idle gap, a held record
///   nothing confirmed is an outlier (a lone last line), unless it is the input's only timed record.
/// Untimed records that follow a held one (they inherited its time) wait with it and take the time it ends
/// up with. The result depends on the records alone, never on how they were cut into batches.
struct SkewGuard: Sendable {
    private let maxSkew: Int64
    /// The input's last accepted time (restored from a checkpoint on resume).
    var reference: Int64?
    private var held: [LogRecord] = []

    init(maxSkew: Int64) { self.maxSkew = maxSkew }

    /// True while a record waits for its witness.
    var isHolding: Bool { !held.isEmpty }

    /// The first record held back, if any.
    var firstHeld: LogRecord? { held.first }

    /// Passes `records` (one input's, in order) through the guard, appending what is decided to `out`.
    mutating func admit(_ records: consuming [LogRecord], into out: inout [LogRecord]) {
        if held.isEmpty && records.allSatisfy({ !$0.timeKnown || isNear($0.time) }) {
            // The common case, no jump in the batch: accept it whole, keeping the array.
            if let last = records.last(where: \.timeKnown) { reference = last.time }
            if out.isEmpty { out = records } else { out.append(contentsOf: records) }
            return
        }
        var records = records
        records.drainInOrder { r in admit(r, into: &out) }
    }

    /// Releases a held record that nothing confirmed (end of input, or a quiet live input).
    mutating func release(into out: inout [LogRecord]) {
        guard !held.isEmpty else { return }
        if reference == nil {
            reference = held[0].time
            out.append(contentsOf: held)
            held.removeAll()
        } else {
            refute(witness: nil, into: &out)
        }
    }

    private func isNear(_ t: Int64) -> Bool {
        guard let reference else { return false }
        return t <= reference &+ maxSkew && t >= reference &- maxSkew
    }

    private mutating func admit(_ r: consuming LogRecord, into out: inout [LogRecord]) {
        if !held.isEmpty {
            guard r.timeKnown else {
                held.append(r)
                return
            }
            let candidate = held[0].time
            let confirmed: Bool
            if let reference, candidate < reference {
                confirmed = r.time <= candidate &+ maxSkew
            } else {
                confirmed = r.time >= candidate &- maxSkew
            }
            if confirmed {
                reference = candidate
                out.append(contentsOf: held)
                held.removeAll(keepingCapacity: true)
            } else {
                refute(witness: r.time, into: &out)
            }
        }
        if !r.timeKnown || isNear(r.time) {
            if r.timeKnown { reference = r.time }
            out.append(r)
        } else {
            held.append(r)
        }
    }

    /// The held record was an outlier: it (and the untimed records after it) take the reference time, or
    /// the witness's when the input has none yet.
    private mutating func refute(witness: Int64?, into out: inout [LogRecord]) {
        let time = reference ?? witness ?? held[0].time
        for i in held.indices {
            if i == 0 {
                held[i].statedTime = held[i].time
                held[i].clockSkewed = true
            }
            held[i].time = time
        }
        out.append(contentsOf: held)
        held.removeAll(keepingCapacity: true)
    }
}
