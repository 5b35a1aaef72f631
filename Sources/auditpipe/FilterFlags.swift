import ArgumentParser
import AuditPipe

#if canImport(Glibc)
    import Glibc
#endif

/// `--since` / `--until`: a time window on event start (or record time), as RFC 3339 or an age like `24h`.
struct TimeRangeFlags: ParsableArguments {
    @Option(
        help: "Only events starting at or after this: RFC 3339 (2026-11-01T00:00:00Z), a date, or an age (24h, 7d).")
    var since: String?

    @Option(help: "Only events starting before this: RFC 3339, a date, or an age (24h, 7d).")
    var until: String?

    func validate() throws {
        for (flag, value) in [("--since", since), ("--until", until)] {
            if let value, TimeBound.parse(value, now: 0) == nil {
                throw ValidationError(
                    "\(flag) takes an RFC 3339 time (2026-11-01T00:00:00Z), a date (2026-11-01) or an age (24h, 7d); got '\(value)'"
                )
            }
        }
    }

    /// `expression` narrowed to the window (on `start` for events, `time` for records).
    func narrow(_ expression: FilterExpression?, records: Bool) -> FilterExpression? {
        let now = Int64(time(nil)) * 1_000_000_000
        let field = records ? "time" : "start"
        let path = FieldPath(segments: [field], written: field)
        var e = expression
        if let since, let t = TimeBound.parse(since, now: now) {
            let bound = FilterExpression.compare(path, .greaterOrEqual, .time(t))
            e = e.map { .and($0, bound) } ?? bound
        }
        if let until, let t = TimeBound.parse(until, now: now) {
            let bound = FilterExpression.compare(path, .less, .time(t))
            e = e.map { .and($0, bound) } ?? bound
        }
        return e
    }
}

/// Parses a filter expression for the CLI, printing the caret diagnostic and exiting 1 when it is malformed.
func parseFilter(_ text: String, records: Bool) throws -> FilterExpression {
    do {
        return try FilterParser.parse(text, for: records ? .records : .events)
    } catch {
        FileHandleStderr.write("auditpipe: \(error.rendered)\n")
        throw ExitCode(1)
    }
}
