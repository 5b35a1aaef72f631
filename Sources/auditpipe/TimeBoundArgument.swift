import ArgumentParser
import AuditPipe

/// A `--since` / `--until` value: an RFC 3339 time (`2026-11-01T00:00:00Z`), a date (`2026-11-01`) or an age
/// (`24h`, `7d`, taken back from the time the command runs).
struct TimeBoundArgument: ExpressibleByArgument, Sendable {
    /// The text as given.
    let text: String

    init?(argument: String) {
        guard TimeBound.parse(argument, now: 0) != nil else { return nil }
        text = argument
    }

    /// The bound in UTC nanoseconds, ages counted back from `now`.
    func nanoseconds(now: Int64) -> Int64 { TimeBound.parse(text, now: now)! }
}
