/// Flags an event carries (`flags` in the event), as a bit set.
public struct EventFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Closed early because more than `max_open_groups` groups were open.
    public static let partial = EventFlags(rawValue: 1)
    /// Its records arrived after their request's event had closed.
    public static let late = EventFlags(rawValue: 2)
    /// A record without a request id.
    public static let uncorrelated = EventFlags(rawValue: 4)
    /// Part of a request cut at `max_duration` / `max_records`.
    public static let split = EventFlags(rawValue: 8)
    /// Holds a record whose time was more than `max_skew` ahead of the others (it did not move the watermark).
    public static let clockSkew = EventFlags(rawValue: 16)
    /// Holds a record with no time at all (none of its own, none before it in its input to inherit): its
    /// time is shown as the Unix epoch, flagged rather than silently dated 1970.
    public static let noTime = EventFlags(rawValue: 32)

    /// The flag names, in a fixed order.
    public var names: [String] {
        var out: [String] = []
        if contains(.partial) { out.append("partial") }
        if contains(.late) { out.append("late") }
        if contains(.uncorrelated) { out.append("uncorrelated") }
        if contains(.split) { out.append("split") }
        if contains(.clockSkew) { out.append("clock_skew") }
        if contains(.noTime) { out.append("no_time") }
        return out
    }
}
