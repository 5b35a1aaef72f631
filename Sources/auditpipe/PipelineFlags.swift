import ArgumentParser
import AuditPipe

#if canImport(Glibc)
    import Glibc
#endif

/// Flags that shape parsing and correlation, shared by `correlate` and `filter`.
struct PipelineFlags: ParsableArguments {
    @Option(help: "Line format: auto detects per line; the others pin one (e.g. --format syslog).")
    var format: InputFormat = .auto

    @Option(
        name: .customLong("id-field"),
        help:
            "Request-id field, first match wins; repeat to give several (e.g. --id-field request_id --id-field traceId). Replaces the default list."
    )
    var idFields: [String] = []

    @Option(help: "How far the watermark trails the highest event time (e.g. 2s, 500ms).")
    var lateness = DurationArgument(argument: "2s")!

    @Option(help: "A group closes once the watermark passes its last record plus this gap (e.g. 5s, 5m).")
    var idle = DurationArgument(argument: "5s")!

    @Option(
        name: .customLong("max-duration"),
        help: "Cut a group after this long; the rest continues flagged split (0 = no limit; e.g. --max-duration 10m).")
    var maxDuration = DurationArgument(argument: "0")!

    @Option(
        name: .customLong("max-records"),
        help:
            "Cut a group at this many records; the rest continues flagged split (0 = no limit; e.g. --max-records 1000)."
    )
    var maxRecords: Int = 0

    @Option(
        name: .customLong("max-open-groups"),
        help:
            "Past this many open groups the least recently seen closes early, flagged partial (e.g. --max-open-groups 1000000)."
    )
    var maxOpenGroups: Int = 100_000

    @Option(
        name: .customLong("max-skew"),
        help: "A record this far ahead of the highest time seen does not move the watermark (e.g. 1h).")
    var maxSkew = DurationArgument(argument: "1h")!

    @Flag(
        name: .customLong("include-records"),
        help:
            "Embed each record (time, service, level, message, fields) in its event (e.g. --include-records | jq .entries)."
    )
    var includeRecords = false

    @Option(
        name: .customLong("max-line-bytes"),
        help: "Lines longer than this are dead-lettered as line_too_long (e.g. --max-line-bytes 4194304).")
    var maxLineBytes: Int = 1 << 20

    @Option(
        name: .customLong("max-json-depth"),
        help: "Deepest JSON nesting accepted; deeper lines are dead-lettered (e.g. --max-json-depth 128).")
    var maxJSONDepth: Int = 64

    @Option(
        name: [.customLong("year"), .customLong("assume-year")],
        help:
            "Year for timestamps that carry none (syslog 'Dec 10 06:55:46'); by default each file's modification time gives it, a December line in a file modified in January being last year's; a pinned year is the first lines' and rolls forward at New Year (e.g. --year 2025; --assume-year is an alias)."
    )
    var year: Int?

    // Taken whatever it starts with: a western offset (`-0530`) starts with a dash, like an option.
    @Option(
        parsing: .unconditional,
        help:
            "Zone of times written without an offset (syslog 'Dec 10 06:55:46', '2024-05-14 09:00:00,123', ctime): an IANA name from the system tz database, UTC or an offset, a negative one too (e.g. --timezone Europe/Berlin, --timezone +02:00, --timezone -0530). Default UTC."
    )
    var timezone: String?

    @Option(
        name: .customLong("text-pattern"),
        help: ArgumentHelp(
            "A text layout as a regex with named groups or grok, tried in order before the built-in text parsers; repeatable. Groups named time, level, service, request_id, user, user_id, ip, user_agent, method, path, status, message, action, entity_type or entity_id fill the record; others become fields.NAME.",
            discussion:
                #"e.g. --text-pattern '%{TIMESTAMP_ISO8601:time} %{LOGLEVEL:level} %{WORD:service} \[req-%{UUID:request_id}\] %{GREEDYDATA:message}'"#
        ))
    var textPatterns: [String] = []

    @Option(
        name: .customLong("id-pattern"),
        help: ArgumentHelp(
            "Canonicalize every request id to its first match of this regex (group 1 if it has one); a UUID match is lowercased, ids without a match stay as they are.",
            discussion: #"e.g. --id-pattern '(?i)([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'"#
        ))
    var idPattern: String?

    @Option(
        name: .customLong("parse-workers"),
        help: ArgumentHelp(
            "Parser tasks for a single input (e.g. --parse-workers 4).",
            discussion: "Default: one per core for filter --records, one fewer otherwise, at least one."))
    var parseWorkers: Int?

    @Option(
        name: .customLong("batch-bytes"),
        help: "Bytes of input lines parsed as one batch, 4096 to 67108864 (e.g. --batch-bytes 1048576)."
    )
    var batchBytes: Int = PipelineOptions().batchBytes

    @Option(
        name: .customLong("redact-key"),
        help: "Another key whose values are redacted; repeatable (e.g. --redact-key ssn --redact-key iban).")
    var redactKeys: [String] = []

    func validate() throws {
        if let year, !UTCTime.representableYears.contains(year) {
            throw ValidationError(
                "--year takes a year from \(UTCTime.representableYears.lowerBound) to \(UTCTime.representableYears.upperBound) (times are kept as nanoseconds since 1970; e.g. --year 2025); got \(year)"
            )
        }
        if let timezone {
            do { _ = try TimeZoneRules.named(timezone) } catch { throw ValidationError("--timezone: \(error)") }
        }
        for p in textPatterns {
            do { _ = try TextPattern(p) } catch {
                throw ValidationError("--text-pattern: bad text pattern: \(error.rendered)")
            }
        }
        if let idPattern {
            do { _ = try RequestIDPattern(idPattern) } catch {
                throw ValidationError("--id-pattern: bad id pattern: \(error.rendered)")
            }
        }
        guard maxLineBytes > 0, maxOpenGroups > 0, maxJSONDepth > 0, (parseWorkers ?? 1) > 0 else {
            throw ValidationError(
                "--max-line-bytes, --max-open-groups, --max-json-depth and --parse-workers must be positive")
        }
        guard (4096...(64 << 20)).contains(batchBytes) else {
            throw ValidationError(
                "--batch-bytes takes 4096 to 67108864 (e.g. --batch-bytes 262144); got \(batchBytes)")
        }
        guard maxJSONDepth <= ParseOptions.maxJSONDepthLimit else {
            let limit = ParseOptions.maxJSONDepthLimit
            throw ValidationError("--max-json-depth must be at most \(limit) (the parser descends one call per level)")
        }
    }

    /// Refuses inputs that cannot be read as named: stdin named twice (two readers would split its lines), and a
    /// CSV export, which is read whole from a file, from stdin.
    func checkInputs(_ inputs: [String]) throws {
        if inputs.filter({ $0 == "-" }).count > 1 {
            throw ValidationError(
                "standard input (-) is named more than once: it is one stream, read once (name it once)")
        }
        if format == .csv && inputs.contains("-") {
            throw ValidationError(
                "--format csv reads a CSV export whole, from a file, not from stdin; save it and name the file (e.g. auditpipe correlate --format csv access_log.csv)"
            )
        }
    }

    /// The pipeline options these flags give.
    var options: PipelineOptions {
        var options = PipelineOptions()
        options.parse.format = format
        if !idFields.isEmpty { options.parse.idFields = idFields }
        options.parse.includeRecords = includeRecords
        options.parse.maxLineBytes = maxLineBytes
        options.parse.maxJSONDepth = maxJSONDepth
        options.parse.assumedYear = year ?? UTCTime.civil(days: Int64(time(nil)) / 86_400).year
        options.parse.inferYear = year == nil
        options.parse.timeZone = timezone.flatMap { try? TimeZoneRules.named($0) }
        options.parse.textPatterns = textPatterns.compactMap { try? TextPattern($0) }
        options.parse.idPattern = idPattern.flatMap { try? RequestIDPattern($0) }
        options.correlation.lateness = lateness.nanoseconds
        options.correlation.idle = idle.nanoseconds
        options.correlation.maxDuration = maxDuration.nanoseconds
        options.correlation.maxSkew = maxSkew.nanoseconds
        options.correlation.maxRecords = maxRecords
        options.correlation.maxOpenGroups = maxOpenGroups
        options.correlation.includeRecords = includeRecords
        options.parseWorkers = parseWorkers
        options.batchBytes = batchBytes
        options.redactKeys = redactKeys
        return options
    }
}
