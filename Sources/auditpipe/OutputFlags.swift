import ArgumentParser
import AuditPipe

/// Where events, rejected lines and counts go; shared by `correlate` and `filter`.
struct OutputFlags: ParsableArguments {
    @Option(name: .shortAndLong, help: "Write events here instead of stdout (- for stdout; e.g. -o events.jsonl).")
    var output: String = "-"

    @Option(
        name: .customLong("output-dir"),
        help:
            "Append events to DIR/events-YYYY-MM-DD.jsonl by the UTC day they start (the live store `archive` rolls up; e.g. --output-dir /var/lib/auditpipe/live)."
    )
    var outputDirectory: String?

    @Option(name: .customLong("output-format"), help: "Events as JSON lines or CSV (e.g. --output-format csv).")
    var outputFormat: EventOutputFormat = .jsonl

    @Option(
        help:
            "CSV columns as dotted paths, comma-separated or the flag repeated; with --output-format csv only (e.g. --columns start,actor.user,action,entity.id,api.payload)."
    )
    var columns: [String] = []

    @Flag(
        name: .customLong("csv-bom"),
        help: "Start CSV output with a UTF-8 byte order mark, for Excel (e.g. --output-format csv --csv-bom).")
    var csvBOM = false

    @Option(
        name: .customLong("dead-letter"),
        help:
            "Write rejected lines here as JSON lines: source, line, offset, reason, raw (e.g. --dead-letter rejected.jsonl)."
    )
    var deadLetter: String?

    @Option(
        name: .customLong("max-dead-letters"),
        help: "Exit with code 2 when more lines than this are dead-lettered (e.g. --max-dead-letters 0).")
    var maxDeadLetters: Int?

    @Option(help: "Write the run's counts here as JSON (e.g. --stats stats.json).")
    var stats: String?

    @Flag(name: .shortAndLong, help: "No summary line on stderr (e.g. -q).")
    var quiet = false

    func validate() throws {
        // JSONL events are whole documents: a column list there would be dropped in silence (pick fields with jq).
        if !columns.isEmpty && outputFormat != .csv {
            throw ValidationError(
                "--columns applies to --output-format csv; JSONL events are written whole (select fields with jq, e.g. jq -c '{start, user: .actor.user}')"
            )
        }
        if csvBOM && outputFormat != .csv {
            throw ValidationError(
                "--csv-bom applies to --output-format csv (a byte order mark would start no JSON line)")
        }
        if outputDirectory != nil && (output != "-" || outputFormat != .jsonl) {
            throw ValidationError(
                "--output-dir writes JSONL by day; it does not combine with -o or --output-format csv")
        }
    }

    /// Checks that every column names a field of a raw record (`filter --records`).
    func checkRecordColumns() throws {
        try checkColumnList()
        for c in columnList ?? [] {
            if let problem = FieldCatalog.recordProblem(with: c) { throw ValidationError("--columns: \(problem)") }
        }
    }

    /// Checks that every column names a field of the audit event.
    func checkEventColumns() throws {
        try checkColumnList()
        for c in columnList ?? [] {
            if let problem = EventSchema.problem(with: c) { throw ValidationError("--columns: \(problem)") }
        }
    }

    /// Refuses an empty list, or an empty item in it (`user,,status`, `user,`: they were dropped in silence).
    private func checkColumnList() throws {
        if let list = columnList, list.isEmpty || list.contains(where: \.isEmpty) {
            throw ValidationError(
                "--columns takes dotted paths separated by commas (e.g. start,actor.user); got '\(columns.joined(separator: ","))'"
            )
        }
    }

    /// The CSV columns given (every `--columns`, in order), trimmed; nil when none is.
    var columnList: [String]? {
        columns.isEmpty
            ? nil
            : columns.flatMap {
                $0.split(separator: ",", omittingEmptySubsequences: false).map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
            }
    }

    /// The outputs these flags name: the events (a file or stdout, a live directory by day, or CSV), the dead
    /// letters and the stats.
    var outputs: [PipelineSpec.Output] {
        var out: [PipelineSpec.Output] = []
        if let outputDirectory {
            out.append(PipelineSpec.Output(kind: .archive, path: outputDirectory))
        } else if outputFormat == .csv {
            var csv = PipelineSpec.Output(kind: .csv, path: output)
            csv.columns = columnList
            csv.bom = csvBOM
            out.append(csv)
        } else {
            out.append(PipelineSpec.Output(kind: .jsonl, path: output))
        }
        if let deadLetter { out.append(PipelineSpec.Output(kind: .deadLetter, path: deadLetter)) }
        if let stats { out.append(PipelineSpec.Output(kind: .stats, path: stats)) }
        return out
    }
}
