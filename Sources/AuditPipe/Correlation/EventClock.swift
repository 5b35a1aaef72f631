/// The run's one event-time clock (DESIGN.md "Time"): every rule about when something is due, in one type.
///
/// - **Outliers and jumps**, per input: each input's records first pass a `SkewGuard` made here, which holds
///   a record more than `maxSkew` from its input's reference time until the input's next records show
///   whether it was a lone outlier (flagged `clock_skew`, given the reference time, moving nothing) or a real
///   jump (accepted without a flag, however long the quiet spell was).
/// - **Watermark**: the highest accepted event time minus `lateness`. A confirmed jump back (a clock stepped
///   back) takes the clock back with it, so groups still open wait for the time to come round again.
/// - **Due**: a group is due once the watermark passes its last record plus `idle` (or its end marker).
/// - **Late**: a record for a group closed less than `idle` before it continues that group, flagged `late`.
/// - **Live**: an input that had nothing to read for longer than `idle` (wall clock) is quiet; when every
///   input is quiet, everything open is due, and a jump held on a quiet input is accepted once it lies
///   within `maxSkew` of the wall clock. Pauses shorter than `idle` change nothing: the events are those of
///   the same bytes read at once.
struct EventClock: Sendable {
    /// How far the watermark trails the highest time seen.
    let lateness: Int64
    /// The gap after a group's last record before it is due, and the silence after which a live input is
    /// quiet.
    let idle: Int64
    /// How far a record may stand from its input's reference time before its input has to confirm it.
    let maxSkew: Int64
    /// The highest accepted event time (restored from a checkpoint on resume).
    private(set) var maxTime: Int64?

    /// The clock these correlation settings describe.
    init(options: CorrelationOptions) {
        lateness = options.lateness
        idle = options.idle
        maxSkew = options.maxSkew
    }

    /// The watermark, or nil before the first timed record.
    var watermark: Int64? { maxTime.map { $0.minus(saturating: lateness) } }

    /// A fresh guard for one input.
    func makeGuard() -> SkewGuard { SkewGuard(maxSkew: maxSkew) }

    /// Takes a timed record's time into account (an outlier's is already its input's reference time); true
    /// when the watermark may have moved.
    mutating func advance(with record: borrowing LogRecord) -> Bool {
        guard record.timeKnown else { return false }
        if maxTime == nil || record.time > maxTime! || record.clockReset { maxTime = record.time }
        return true
    }

    /// When `group` is due: past its last record plus the idle gap, or just before its end marker.
    func deadline(of group: borrowing GroupAccumulator) -> Int64 { group.deadline(idle: idle) }

    /// True when a record at `time` for an id closed at `end` continues that group (it is `late`).
    func continues(closedAt end: Int64, time: Int64) -> Bool { time <= end.plus(saturating: idle) }

    /// Restores the highest time seen (a resumed run).
    mutating func restore(maxTime: Int64?) { self.maxTime = maxTime }
}
