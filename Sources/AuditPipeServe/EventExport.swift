import AuditPipe

/// The one export loop: writes a catalog query's events to a file with the sinks, for `auditpipe query` and for
/// the screen's exports alike, so an export from the screen is byte for byte what
/// `auditpipe query DIR --all --output-format FORMAT EXPR` writes.
public enum EventExport {
    /// What to write: JSON lines (the archived lines as they are), CSV or an Excel sheet.
    public enum Format: String, Sendable, CaseIterable {
        case jsonl, csv, xlsx
    }

    /// Writes the matches of `query` as `format` to `path` (`-`: stdout, not for
    /// xlsx), in archive order, with `columns` for csv and xlsx; returns the query's counts.
    @discardableResult
    public static func write(
        _ catalog: any EventCatalog, _ query: CatalogQuery, format: Format, to path: String,
        columns: [String] = CSVSink.defaultColumns, bom: Bool
    ) throws(OutputError) -> ArchiveQuery.Counts {
        let counts: ArchiveQuery.Counts
        switch format {
        case .xlsx:
            var sheet = XLSXSheet(columns: columns)
            var rows = 0
            counts = try catalog.forEach(query) { e throws(OutputError) in
                rows += 1
                guard rows < 1_048_576 else {
                    throw OutputError(path: path, message: "an xlsx sheet holds at most 1,048,576 rows; use csv")
                }
                sheet.append(e.value)
            }
            let file = try OutputFile(path: path)
            try file.write(try sheet.finish())
            try file.close()
        case .csv:
            var csv = PipelineSpec.Output(kind: .csv, path: path)
            csv.columns = columns
            csv.bom = bom
            let sink = try SinkFactory.open([csv], records: true)
            counts = try catalog.forEach(query) { e throws(OutputError) in try sink.write(records: [e.value]) }
            try sink.close()
        case .jsonl:
            let file = try OutputFile(path: path)
            counts = try catalog.forEach(query) { e throws(OutputError) in try file.write(e.line + [10]) }
            try file.close()
        }
        return counts
    }
}
