#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A time limit on catalog work (a scan of the day files, an index query), so one slow question cannot hold
/// a server's worker: bound with `CatalogDeadline.$current.withValue(…)` around the work, and checked by the
/// scan loops and by the SQLite progress handler, which then fail with an `OutputError` saying so.
public struct CatalogDeadline: Sendable {
    /// When it passes, on the monotonic clock (ns).
    public let expires: UInt64
    /// The limit it was made with, seconds (for messages).
    public let seconds: Double

    /// A deadline `seconds` from now (0 or less: already passed).
    public init(seconds: Double) {
        self.seconds = seconds
        let now = Self.monotonicNanoseconds()
        expires = seconds <= 0 ? now : now + UInt64(min(seconds, 1e9) * 1e9)
    }

    /// The deadline of the work running on this task or thread, or nil when unbounded.
    @TaskLocal public static var current: CatalogDeadline?

    /// True once the deadline is reached.
    public var hasPassed: Bool { Self.monotonicNanoseconds() >= expires }

    /// Throws when the current deadline has passed; `path` names what was being read.
    public static func check(_ path: String) throws(OutputError) {
        guard let deadline = current, deadline.hasPassed else { return }
        throw OutputError(path: path, message: "stopped: the request ran past its limit of \(deadline.seconds) s")
    }

    private static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
