import ArgumentParser
import AuditPipe
import AuditPipeServe

#if canImport(Glibc)
    import Glibc
#endif

/// `auditpipe query`: reads archives back with a time range and a filter expression.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Read archived events back (only the days in range), filtered, as JSONL, CSV or XLSX.",
        discussion: """
            When ARCHIVE/index.sqlite is present and up to date (auditpipe index), query finds the candidate \
            events through it and reads only the gzip members that hold them; every event is still checked \
            against the filter on its archived line, so the output is byte for byte the scan's. Without an \
            index, or with --scan, query reads every day file in range.

            Examples:
              auditpipe query archive/ --since 2026-11-01 --until 2026-11-08 \\
                  'action == "export"' --output-format csv
              auditpipe query archive/ --since 7d 'outcome.status == 4xx' \\
                  --output-format xlsx -o denied.xlsx
              auditpipe query archive/ --all > everything.jsonl
              auditpipe query archive/ --scan 'user == "alice"' > alice.jsonl
            """)

    @Argument(help: "Archive directory.")
    var archive: String

    @Argument(help: "Filter expression (see `auditpipe filter --help`).")
    var expression: String?

    @Option(help: "Events starting at or after this: RFC 3339, a date, or an age (24h, 7d).")
    var since: TimeBoundArgument?

    @Option(help: "Events starting before this: RFC 3339, a date, or an age (e.g. --until 2026-11-08).")
    var until: TimeBoundArgument?

    @Flag(help: "Export everything (needed when neither a range nor an expression narrows the query).")
    var all = false

    @Option(name: .shortAndLong, help: "Write here instead of stdout (e.g. -o denied.csv).")
    var output: String = "-"

    @Option(
        name: .customLong("output-format"),
        help: "JSON lines, CSV or an Excel sheet (xlsx needs -o FILE; e.g. --output-format xlsx -o denied.xlsx).")
    var outputFormat: EventExport.Format = .jsonl

    @Option(
        help:
            "CSV/XLSX columns as dotted paths, comma-separated or the flag repeated; not with jsonl (e.g. --columns start,actor.user,action)."
    )
    var columns: [String] = []

    @Flag(
        name: .customLong("csv-bom"),
        help: "Start CSV output with a UTF-8 byte order mark, for Excel (e.g. --output-format csv --csv-bom).")
    var csvBOM = false

    @Flag(name: .shortAndLong, help: "No summary on stderr (e.g. -q).")
    var quiet = false

    @Flag(help: "Read the gzip day files even when an index is present, e.g. --scan to compare with the index.")
    var scan = false

    /// The columns given (every `--columns`, in order); nil when none is.
    private var columnList: [String]? {
        columns.isEmpty
            ? nil
            : columns.flatMap {
                $0.split(separator: ",", omittingEmptySubsequences: false).map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
            }
    }

    func validate() throws {
        // As correlate and filter have it (a third trial: `--columns ''` wrote rows of nothing, `start,` dropped
        // the empty name, ` start` was an unknown field).
        if let list = columnList, list.contains(where: \.isEmpty) {
            throw ValidationError(
                "--columns takes dotted paths separated by commas (e.g. start,actor.user); got '\(columns.joined(separator: ","))'"
            )
        }
        for c in columnList ?? [] {
            if let problem = EventSchema.problem(with: c) { throw ValidationError("--columns: \(problem)") }
        }
        if !columns.isEmpty && outputFormat == .jsonl {
            throw ValidationError(
                "--columns applies to csv/xlsx output; JSONL events are written whole (select fields with jq)")
        }
        if csvBOM && outputFormat != .csv {
            throw ValidationError("--csv-bom applies to --output-format csv")
        }
        if outputFormat == .xlsx && output == "-" { throw ValidationError("--output-format xlsx needs -o FILE") }
        guard all || since != nil || until != nil || expression != nil else {
            throw ValidationError("an unfiltered export of the whole archive needs --all")
        }
    }

    func run() throws {
        var st = stat()
        guard stat(archive, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            FileHandleStderr.write("auditpipe: input error: \(archive): no such archive directory\n")
            throw ExitCode(2)
        }
        let filter = try expression.map { try parseFilter($0, records: false) }
        let now = Int64(time(nil)) * UTCTime.second
        let catalog = CatalogOpening.open(archive: archive, scan: scan)
        if !scan && !quiet && !(catalog is IndexedCatalog) && access(ArchiveIndex.path(archive: archive), F_OK) == 0 {
            FileHandleStderr.write(
                "auditpipe: note: \(ArchiveIndex.path(archive: archive)) is not current (run auditpipe index \(archive)); reading the day files\n"
            )
        }
        let query = CatalogQuery(
            filter: filter, since: since?.nanoseconds(now: now), until: until?.nanoseconds(now: now))
        do {
            let cols = columnList ?? CSVSink.defaultColumns
            let counts = try EventExport.write(
                catalog, query, format: outputFormat, to: output, columns: cols, bom: csvBOM)
            if !quiet {
                FileHandleStderr.write(
                    "auditpipe: \(counts.matched) of \(counts.events) events matched in \(counts.days) day\(counts.days == 1 ? "" : "s")\n"
                )
            }
        } catch {
            if error.isBrokenPipe { throw ExitCode.success }
            FileHandleStderr.write("auditpipe: query failed: \(error)\n")
            throw ExitCode(3)
        }
    }
}
