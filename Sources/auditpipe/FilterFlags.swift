import ArgumentParser
import AuditPipe

#if canImport(Glibc)
    import Glibc
#endif

/// `--since` / `--until`: a time window on event start (or record time), as RFC 3339 or an age like `24h`.
struct TimeRangeFlags: ParsableArguments {
    @Option(
        help:
            "Only events starting at or after this: RFC 3339, a date, or an age (e.g. --since 2026-11-01T00:00:00Z or 7d)."
    )
    var since: TimeBoundArgument?

    @Option(help: "Only events starting before this: RFC 3339, a date, or an age (e.g. --until 2026-11-02 or 24h).")
    var until: TimeBoundArgument?

    /// `expression` narrowed to the window (on `start` for events, `time` for records).
    func narrow(_ expression: FilterExpression?, records: Bool) -> FilterExpression? {
        let now = Int64(time(nil)) * 1_000_000_000
        let field = records ? "time" : "start"
        let path = FieldPath(segments: [field], written: field)
        var e = expression
        if let since {
            let bound = FilterExpression.compare(path, .greaterOrEqual, .time(since.nanoseconds(now: now)))
            e = e.map { .and($0, bound) } ?? bound
        }
        if let until {
            let bound = FilterExpression.compare(path, .less, .time(until.nanoseconds(now: now)))
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
