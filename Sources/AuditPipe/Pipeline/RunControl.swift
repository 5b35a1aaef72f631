import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Shared by a run's stages and its caller: a stop request (a signal, or an output that closed) that makes
/// readers end as at end of input, and since when every input has been waiting for data (a quiet live
/// stream, on which the watermark advances with the wall clock).
public final class RunControl: Sendable {
    private struct State {
        var stopRequested = false
        var waitingSince: [Int32: Int64] = [:]
    }

    private let state = Mutex(State())

    /// Creates a control with no stop requested.
    public init() {}

    /// Asks readers to stop reading; what was read is still correlated and written.
    public func requestStop() { state.withLock { $0.stopRequested = true } }

    /// True once a stop was requested.
    public var isStopRequested: Bool { state.withLock { $0.stopRequested } }

    /// Notes that `input` has been waiting for data since `since` (monotonic ns), or that data came (nil).
    func setWaiting(_ input: Int32, since: Int64?) {
        state.withLock { $0.waitingSince[input] = since ?? -1 }
    }

    /// Notes that `input` has ended: it no longer counts either way (its last records may still be on their
    /// way, so an ended input must not make a run look quiet).
    func inputFinished(_ input: Int32) {
        state.withLock { _ = $0.waitingSince.removeValue(forKey: input) }
    }

    /// When every running input is waiting for data: since when the last of them began to (monotonic ns);
    /// else nil (also when none is running).
    func quietSince() -> Int64? {
        state.withLock { s in
            guard !s.waitingSince.isEmpty, s.waitingSince.values.allSatisfy({ $0 >= 0 }) else { return nil }
            return s.waitingSince.values.max()
        }
    }

    /// Monotonic clock in nanoseconds.
    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
