import AuditPipe

/// Writes a catalog query's events to a file with the sinks `auditpipe query` uses, so an export from the
/// screen is byte for byte what `auditpipe query DIR --all --output-format FORMAT EXPR` writes.
enum EventExport {
    /// Writes the matches of `query` as `format` (`csv`, `xlsx` or `jsonl`) to `path`, in archive order.
    static func write(_ catalog: any EventCatalog, _ query: CatalogQuery, format: String, to path: String, bom: Bool)
        throws(OutputError)
    {
        switch format {
        case "xlsx":
            var sheet = XLSXSheet(columns: CSVSink.defaultColumns)
            var rows = 0
            _ = try catalog.forEach(query) { e throws(OutputError) in
                rows += 1
                guard rows < 1_048_576 else {
                    throw OutputError(path: path, message: "an xlsx sheet holds at most 1,048,576 rows; use csv")
                }
                sheet.append(e.value)
            }
            let file = try OutputFile(path: path)
            try file.write(try sheet.finish())
            try file.close()
        case "csv":
            var csv = PipelineSpec.Output(kind: .csv, path: path)
            csv.columns = CSVSink.defaultColumns
            csv.bom = bom
            let sink = try SinkFactory.open([csv], records: true)
            _ = try catalog.forEach(query) { e throws(OutputError) in try sink.write(records: [e.value]) }
            try sink.close()
        default:
            let file = try OutputFile(path: path)
            _ = try catalog.forEach(query) { e throws(OutputError) in try file.write(e.line + [10]) }
            try file.close()
        }
    }
}
