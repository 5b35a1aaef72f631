import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Shared by a run's stages and its caller: a stop request (a signal, or an output that closed) that makes
/// readers end as at end of input.
public final class RunControl: Sendable {
    private struct State {
        var stopRequested = false
    }

    private let state = Mutex(State())

    /// Creates a control with no stop requested.
    public init() {}

    /// Asks readers to stop reading; what was read is still correlated and written.
    public func requestStop() { state.withLock { $0.stopRequested = true } }

    /// True once a stop was requested.
    public var isStopRequested: Bool { state.withLock { $0.stopRequested } }

    /// Monotonic clock in nanoseconds.
    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
