/// The per-input part of the `EventClock` (DESIGN.md "Time"), one per input: tells outliers — records whose
/// clock was wrong — from a real jump in time, using the input's own next records as witnesses.
///
/// A timed record within `maxSkew` of the input's reference time (its last accepted time) is accepted at
/// once. One further away starts a jump and is held back, with what follows it, until the input shows what
/// it was:
/// - a jump **up** is confirmed once `confirmations` timed records in a row (the first included) do not
///   fall back more than `maxSkew` below its first record; a jump **down** once as many do not climb back
///   more than `maxSkew` above it (a quiet night, a week without logs, a host clock stepped back: later
///   records stay where the jump went). A confirmed jump down is marked `clockReset`, so the event-time
///   clock follows it back instead of closing everything after it at once (which also undoes a burst of
///   bad lines long enough to be confirmed: only groups open during it close early);
/// - a record that comes back first shows the held one was an outlier (a far-future or epoch-0 line
///   between ordinary ones): each is flagged `clockSkew` and takes the reference time
///   as its event time, so none moves the watermark and no grouping changes. Its stated time is kept in
///   `statedTime`;
/// - the input's first timed records are held the same way, and are outliers when later ones come back more
///   than `maxSkew` below them (a future first line);
/// - a jump nothing confirmed by the end of the input is accepted when it lies within `maxSkew` of the time
///   the merge has reached over every input (another input confirms it), or when the input had no reference
///   yet; else it is an outlier (a lone last line). When a live input goes quiet, a held jump within
///   `maxSkew` of the wall clock goes on (the first line after a quiet night); any other waits for the
///   input's next records.
/// Untimed records that follow a held one (they inherited its time) wait with it and take the time it ends
/// up with. The result depends on the records alone, never on how they were cut into batches.
struct SkewGuard: Sendable {
    /// Timed records in a row that confirm a jump (the jump's first and one more: real logs often have just
    /// a pair of lines after a quiet spell; a longer burst of bad lines is accepted, and undone by the jump
    /// back that follows it).
    static let confirmations = 2

    private let maxSkew: Int64
    /// The input's last accepted time (restored from a checkpoint on resume).
    var reference: Int64?
    private var held: [LogRecord] = []
    /// Timed records held (the jump's first included).
    private var heldTimed = 0

    init(maxSkew: Int64) { self.maxSkew = maxSkew }

    /// True while records wait for their witnesses.
    var isHolding: Bool { !held.isEmpty }

    /// The first record held back, if any.
    var firstHeld: LogRecord? { held.first }

    /// The records held back, in order (what a commit saves).
    var heldRecords: [LogRecord] { held }

    /// Holds `records` again, as a resumed run's guard (they were held when the commit was made).
    mutating func restore(held records: [LogRecord]) {
        held = records
        heldTimed = records.count { $0.timeKnown }
    }

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

    /// Releases what is held at the end of the input: accepted when `witness` (the time the merge has
    /// reached) vouches for it or the input has no reference yet, else flagged as outliers.
    mutating func release(into out: inout [LogRecord], witness: Int64? = nil) {
        guard !held.isEmpty else { return }
        if reference == nil || witness.map({ $0.gap(to: held[0].time) <= UInt64(clamping: maxSkew) }) == true {
            confirm(into: &out)
        } else {
            refute(witness: nil, into: &out)
        }
    }

    /// A live input went quiet: what is held goes on when the wall clock (`now`) vouches for it or the input
    /// has no reference yet; otherwise it waits for the input's next records.
    mutating func releaseIfPlausible(into out: inout [LogRecord], now: Int64) {
        guard !held.isEmpty, reference == nil || now.gap(to: held[0].time) <= UInt64(clamping: maxSkew) else { return }
        confirm(into: &out)
    }

    private func isNear(_ t: Int64) -> Bool {
        guard let reference else { return false }
        return t.gap(to: reference) <= UInt64(clamping: maxSkew)
    }

    private mutating func admit(_ r: consuming LogRecord, into out: inout [LogRecord]) {
        if !held.isEmpty {
            guard r.timeKnown else {
                held.append(r)
                return
            }
            let candidate = held[0].time
            let down = reference.map { candidate < $0 } ?? false
            let comesBack =
                down ? r.time > candidate.plus(saturating: maxSkew) : r.time < candidate.minus(saturating: maxSkew)
            if comesBack {
                refute(witness: r.time, into: &out)
            } else if heldTimed + 1 >= Self.confirmations {
                // This record confirms the jump; it is then judged against the new reference itself.
                confirm(into: &out)
            } else {
                held.append(r)
                heldTimed += 1
                return
            }
        }
        if !r.timeKnown || isNear(r.time) {
            if r.timeKnown { reference = r.time }
            out.append(r)
        } else {
            held.append(r)
            heldTimed = 1
        }
    }

    /// The held records were a real jump: they go on as they are; the reference follows them.
    private mutating func confirm(into out: inout [LogRecord]) {
        if let reference, held[0].time < reference.minus(saturating: maxSkew) { held[0].clockReset = true }
        reference = held.last(where: \.timeKnown)?.time ?? held[0].time
        out.append(contentsOf: held)
        held.removeAll(keepingCapacity: true)
        heldTimed = 0
    }

    /// The held timed records were outliers: they (and the untimed records after them) take the reference
    /// time, or the witness's when the input has none yet.
    private mutating func refute(witness: Int64?, into out: inout [LogRecord]) {
        let time = reference ?? witness ?? held[0].time
        for i in held.indices {
            if held[i].timeKnown {
                held[i].statedTime = held[i].time
                held[i].clockSkewed = true
            }
            held[i].time = time
        }
        out.append(contentsOf: held)
        held.removeAll(keepingCapacity: true)
        heldTimed = 0
    }
}
