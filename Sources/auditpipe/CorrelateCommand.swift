import ArgumentParser
import AuditPipe

#if canImport(Glibc)
    import Glibc
#endif

/// `auditpipe correlate`: batch correlation of log dumps into audit events.
struct CorrelateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "correlate",
        abstract: "Group log lines from files, directories, globs or stdin into audit events.",
        discussion: """
            Examples:
              auditpipe correlate dump/*.log.gz > events.jsonl
              auditpipe correlate Fixtures/split-across-files --stats stats.json
              auditpipe demo --requests 1000 | auditpipe correlate - --output-format csv --columns start,actor.user,action,entity.id
            """)

    @Argument(help: "Files, directories (read recursively, sorted), glob patterns, or - for stdin. gzip is detected.")
    var inputs: [String] = ["-"]

    @Option(help: "Line format: auto (detect per line), json, logfmt, text, openstack, access.")
    var format: String = "auto"

    @Option(
        name: .customLong("id-field"),
        help:
            "Request-id field, first match wins; repeat to give several (e.g. --id-field request_id --id-field traceId). Replaces the default list."
    )
    var idFields: [String] = []

    @Option(help: "How far the watermark trails the highest event time (e.g. 2s, 500ms).")
    var lateness: String = "2s"

    @Option(help: "A group closes once the watermark passes its last record plus this gap (e.g. 5s, 5m).")
    var idle: String = "5s"

    @Option(
        name: .customLong("max-duration"),
        help: "Cut a group after this long; the rest continues flagged split (0 = no limit).")
    var maxDuration: String = "0"

    @Option(
        name: .customLong("max-records"),
        help: "Cut a group at this many records; the rest continues flagged split (0 = no limit).")
    var maxRecords: Int = 0

    @Option(
        name: .customLong("max-open-groups"),
        help: "Past this many open groups the least recently seen closes early, flagged partial.")
    var maxOpenGroups: Int = 100_000

    @Option(
        name: .customLong("max-skew"),
        help: "A record this far ahead of the highest time seen does not move the watermark (e.g. 1h).")
    var maxSkew: String = "1h"

    @Flag(
        name: .customLong("include-records"),
        help: "Embed each record (time, service, level, message, fields) in its event.")
    var includeRecords = false

    @Option(name: .shortAndLong, help: "Write events here instead of stdout (- for stdout).")
    var output: String = "-"

    @Option(name: .customLong("output-format"), help: "jsonl or csv.")
    var outputFormat: String = "jsonl"

    @Option(help: "CSV columns as dotted paths, comma-separated (e.g. start,actor.user,action,entity.id,api.payload).")
    var columns: String?

    @Flag(name: .customLong("csv-bom"), help: "Start CSV output with a UTF-8 byte order mark (for Excel).")
    var csvBOM = false

    @Option(
        name: .customLong("dead-letter"),
        help: "Write rejected lines here as JSON lines (source, line, offset, reason, raw).")
    var deadLetter: String?

    @Option(
        name: .customLong("max-dead-letters"), help: "Exit with code 2 when more lines than this are dead-lettered.")
    var maxDeadLetters: Int?

    @Option(help: "Write the run's counts here as JSON.")
    var stats: String?

    @Option(name: .customLong("max-line-bytes"), help: "Lines longer than this are dead-lettered as line_too_long.")
    var maxLineBytes: Int = 1 << 20

    @Option(name: .customLong("max-json-depth"), help: "Deepest JSON nesting accepted; deeper lines are dead-lettered.")
    var maxJSONDepth: Int = 64

    @Option(
        name: .customLong("assume-year"), help: "Year for syslog timestamps, which carry none (default: this year).")
    var assumeYear: Int?

    @Option(name: .customLong("parse-workers"), help: "Parser tasks for a single input.")
    var parseWorkers: Int = 2

    @Option(name: .customLong("redact-key"), help: "Another key whose values are redacted; repeatable.")
    var redactKeys: [String] = []

    @Flag(name: .shortAndLong, help: "No summary line on stderr.")
    var quiet = false

    func validate() throws {
        guard InputFormat(rawValue: format) != nil else {
            throw ValidationError(
                "--format must be one of \(InputFormat.allCases.map(\.rawValue).joined(separator: ", ")); got '\(format)'"
            )
        }
        guard outputFormat == "jsonl" || outputFormat == "csv" else {
            throw ValidationError("--output-format must be jsonl or csv; got '\(outputFormat)'")
        }
        for (flag, value) in [
            ("--lateness", lateness), ("--idle", idle), ("--max-duration", maxDuration), ("--max-skew", maxSkew),
        ]
        where DurationText.parse(value) == nil {
            throw ValidationError("\(flag) takes a duration like 500ms, 2s, 5m, 1h or 7d; got '\(value)'")
        }
        guard maxLineBytes > 0, maxOpenGroups > 0, maxJSONDepth > 0, parseWorkers > 0 else {
            throw ValidationError(
                "--max-line-bytes, --max-open-groups, --max-json-depth and --parse-workers must be positive")
        }
    }

    func run() async throws {
        var options = PipelineOptions()
        options.parse.format = InputFormat(rawValue: format)!
        if !idFields.isEmpty { options.parse.idFields = idFields }
        options.parse.includeRecords = includeRecords
        options.parse.maxLineBytes = maxLineBytes
        options.parse.maxJSONDepth = maxJSONDepth
        options.parse.assumedYear = assumeYear ?? UTCTime.civil(days: Int64(time(nil)) / 86_400).year
        options.correlation.lateness = DurationText.parse(lateness)!
        options.correlation.idle = DurationText.parse(idle)!
        options.correlation.maxDuration = DurationText.parse(maxDuration)!
        options.correlation.maxSkew = DurationText.parse(maxSkew)!
        options.correlation.maxRecords = maxRecords
        options.correlation.maxOpenGroups = maxOpenGroups
        options.correlation.includeRecords = includeRecords
        options.parseWorkers = parseWorkers
        options.redactKeys = redactKeys

        let (specs, expandErrors) = InputSpec.expand(inputs)
        let sink: any EventSink
        let deadLetterWriter: DeadLetterWriter?
        do {
            if outputFormat == "csv" {
                let cols = columns.map { $0.split(separator: ",").map(String.init) } ?? CSVSink.defaultColumns
                sink = try CSVSink(path: output, columns: cols, bom: csvBOM)
            } else {
                sink = try JSONLSink(path: output)
            }
            deadLetterWriter = try deadLetter.map { try DeadLetterWriter(path: $0, inputNames: specs.map(\.path)) }
        } catch {
            FileHandleStderr.write("auditpipe: cannot open output \(error)\n")
            throw ExitCode(3)
        }

        let names = specs.map(\.path)
        let shown = ShownDeadLetters()
        let pipeline = CorrelatePipeline(inputs: specs, options: options)
        var stats: RunStats
        do {
            stats = try await pipeline.run(sink: sink) { d throws(OutputError) in
                if let w = deadLetterWriter {
                    try w.write(d)
                } else if shown.take() {
                    FileHandleStderr.write(
                        "auditpipe: dead letter: \(DeadLetterWriter.describe(d, inputName: names[Int(d.position.input)]))\n"
                    )
                }
            }
            try deadLetterWriter?.close()
        } catch {
            if error.isBrokenPipe { throw ExitCode.success }
            FileHandleStderr.write("auditpipe: output failed: \(error)\n")
            throw ExitCode(3)
        }
        stats.inputErrors = expandErrors + stats.inputErrors
        if let path = self.stats {
            do {
                let f = try OutputFile(path: path)
                try f.write(Array(stats.json.utf8))
                try f.close()
            } catch {
                FileHandleStderr.write("auditpipe: cannot write stats: \(error)\n")
                throw ExitCode(3)
            }
        }
        for e in stats.inputErrors { FileHandleStderr.write("auditpipe: input error: \(e)\n") }
        if !quiet {
            var line = stats.summary
            if deadLetterWriter == nil && stats.lines.deadLettered > 0 {
                line += " (use --dead-letter FILE to keep rejected lines)"
            }
            FileHandleStderr.write(line + "\n")
        }
        if !stats.inputErrors.isEmpty { throw ExitCode(2) }
        if let limit = maxDeadLetters, stats.lines.deadLettered > Int64(limit) {
            FileHandleStderr.write(
                "auditpipe: \(stats.lines.deadLettered) lines dead-lettered, over --max-dead-letters \(limit)\n")
            throw ExitCode(2)
        }
    }
}

/// Counts dead letters echoed to stderr when no dead-letter file is given (the first 10 are shown).
final class ShownDeadLetters: @unchecked Sendable {
    private var shown = 0
    func take() -> Bool {
        shown += 1
        return shown <= 10
    }
}
