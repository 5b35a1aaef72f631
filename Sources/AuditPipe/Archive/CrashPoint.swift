#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A test hook: with `AUDITPIPE_CRASH_AT=N` in the environment, the process kills itself with SIGKILL at
/// the N-th durable step of an archive run (and `AUDITPIPE_CRASH_AT=N:mid` half-way through writing the
/// N-th file), so crash tests can stop it at every point that matters.
enum CrashPoint {
    nonisolated(unsafe) private static var count = 0
    private static let target: Int? = getenv("AUDITPIPE_CRASH_AT").flatMap {
        Int(String(cString: $0).split(separator: ":").first ?? "")
    }

    /// Counts a step; dies here when it is the configured one.
    static func reached(_ step: StaticString) {
        guard let target else { return }
        count += 1
        if count == target { kill(getpid(), SIGKILL) }
    }
}
