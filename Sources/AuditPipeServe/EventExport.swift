import AuditPipe

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one export loop: writes a catalog query's events to a file with the sinks, for `auditpipe query` and for
/// the screen's exports alike, so an export from the screen is byte for byte what
/// `auditpipe query DIR --all --output-format FORMAT EXPR` writes.
public enum EventExport {
    /// What to write: JSON lines (the archived lines as they are), CSV or an Excel sheet.
    public enum Format: String, Sendable, CaseIterable {
        case jsonl, csv, xlsx
    }

    /// Writes the matches of `query` as `format` to `path` (`-`: stdout, not for
    /// xlsx), in archive order, with `columns` for csv and xlsx; returns the query's counts. A file is written
    /// under a temporary name beside it and renamed once the query has finished: a query that fails part-way
    /// (a damaged day) leaves no partial export, and an older file at `path` as it was.
    @discardableResult
    public static func write(
        _ catalog: any EventCatalog, _ query: CatalogQuery, format: Format, to path: String,
        columns: [String] = CSVSink.defaultColumns, bom: Bool
    ) throws(OutputError) -> ArchiveQuery.Counts {
        guard let staging = stagingPath(for: path) else {
            return try write(catalog, query, format: format, into: path, columns: columns, bom: bom)
        }
        let counts: ArchiveQuery.Counts
        do throws(OutputError) {
            counts = try write(catalog, query, format: format, into: staging, columns: columns, bom: bom)
        } catch {
            unlink(staging)
            var named = error
            if named.path == staging { named.path = path }
            throw named
        }
        guard rename(staging, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(staging)
            throw OutputError(path: path, message: "rename failed: \(reason)")
        }
        return counts
    }

    /// The temporary name an export to `path` is written under: beside a regular file or a new one; nil for
    /// stdout and for a device or pipe (`/dev/null`, `/dev/stdout`), which are written in place.
    static func stagingPath(for path: String) -> String? {
        guard path != "-" else { return nil }
        var st = stat()
        if stat(path, &st) == 0 && (st.st_mode & S_IFMT) != S_IFREG { return nil }
        return path + ".partial-\(getpid())"
    }

    private static func write(
        _ catalog: any EventCatalog, _ query: CatalogQuery, format: Format, into path: String, columns: [String],
        bom: Bool
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
