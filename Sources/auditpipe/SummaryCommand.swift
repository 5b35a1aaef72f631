import ArgumentParser
import AuditPipe

/// `auditpipe summary`: activity per node path prefix or per user, from event files.
struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Reads, writes, last update and last activity per node (path prefix) or per user.",
        discussion: """
            Reads events (JSON lines, gzip or plain; - for stdin), as Pydio Cells' workspace activity view:
              auditpipe run Pipelines/pydio-cells.yaml
              auditpipe summary out/cells/events.jsonl --by node --depth 2
              auditpipe summary archive/2026/11/??/*.jsonl.gz --by user --output-format csv
            Reads are download, read, view, export, print, preview, list, get, watch, search; writes are create, \
            update, patch, upload, delete, move, copy, rename, restore, write, import, share, unshare; other \
            actions (login...) count as other.
            """)

    @Argument(help: "Event files (JSONL, gzip or plain), directories, globs, or - for stdin.")
    var files: [String] = ["-"]

    @Option(help: "Group by node (entity.id path prefix) or user (e.g. --by user).")
    var by: String = "node"

    @Option(help: "Path segments kept in a node key (e.g. --depth 3).")
    var depth: Int = 2

    @Option(
        name: [.customLong("output-format"), .customLong("format")],
        help: "A text table, JSON or CSV (e.g. --output-format csv).")
    var format: SummaryOutputFormat = .table

    @Option(name: .shortAndLong, help: "Write here instead of stdout (- for stdout; e.g. -o summary.csv).")
    var output: String = "-"

    @Flag(name: .shortAndLong, help: "No note on stderr about events that could not be grouped (e.g. -q).")
    var quiet = false

    func validate() throws {
        guard ActivitySummary.Grouping(rawValue: by) != nil else {
            throw ValidationError("--by must be node or user; got '\(by)'")
        }
        if output.isEmpty { throw ValidationError("-o: the path is empty") }
        guard depth > 0 else { throw ValidationError("--depth must be positive") }
    }

    func run() throws {
        // Checked before the events are read, as every output of correlate is; its folders made as theirs are.
        do {
            try OutputFile.check(output)
        } catch {
            FileHandleStderr.write("auditpipe: cannot open output \(error)\n")
            throw ExitCode(3)
        }
        var summary = ActivitySummary(by: ActivitySummary.Grouping(rawValue: by)!, depth: depth)
        // Expanded as the pipeline's inputs are: a file reached twice (named twice, through a link) counts once.
        let (inputs, errors, warnings) = { ($0.inputs, $0.errors, $0.warnings) }(InputSpec.expand(files))
        for w in warnings { FileHandleStderr.write("auditpipe: warning: \(w)\n") }
        if let error = errors.first {
            FileHandleStderr.write("auditpipe: input error: \(error)\n")
            throw ExitCode(2)
        }
        for input in inputs {
            do {
                try ActivitySummary.forEachLine(in: input.path) { summary.add(line: $0) }
            } catch {
                FileHandleStderr.write("auditpipe: input error: \(error)\n")
                throw ExitCode(2)
            }
        }
        let rows = summary.sortedRows.map(ActivitySummary.cells)
        let text: [UInt8]
        switch format {
        case .json:
            var w = JSONWriter()
            w.value(summary.json())
            text = w.bytes + [10]
        case .csv:
            text = summary.csv()
        default:
            text = Array(TextTable.render(header: summary.titles, rows: rows).utf8)
        }
        do {
            try OutputFile.makeParentDirectories(of: output)
            let file = try OutputFile(path: output)
            try file.write(text)
            try file.close()
        } catch {
            if error.isBrokenPipe { throw ExitCode.success }
            FileHandleStderr.write("auditpipe: output failed: \(error)\n")
            throw ExitCode(3)
        }
        if !quiet && (summary.skipped > 0 || summary.unreadable > 0) {
            FileHandleStderr.write(
                "auditpipe: \(summary.skipped) events without a \(by), \(summary.unreadable) lines that are not events\n"
            )
        }
    }
}

/// Columns padded to their widest cell, numbers right-aligned.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                let pad = String(repeating: " ", count: widths[i] - c.count)
                return i > 0 && i < 5 ? pad + c : c + pad
            }.joined(separator: "  ").trimmingTrailingSpaces + "\n"
        }
        return line(header) + rows.map(line).joined()
    }
}

extension String {
    fileprivate var trimmingTrailingSpaces: String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
