/// Writes events as RFC 4180 CSV: a header row, one row per event with the chosen dotted-path columns,
/// objects and arrays as JSON text, an optional UTF-8 BOM for Excel, and cells that a spreadsheet would
/// run as a formula (`= + - @`, tab, CR) prefixed with `'`.
public final class CSVSink: EventSink {
    /// Columns written when none are chosen.
    public static let defaultColumns = [
        "event_id", "request_id", "start", "end", "duration_ms", "actor.user", "actor.ip", "actor.origin", "action",
        "entity.type", "entity.id", "outcome.status", "outcome.result", "services", "records", "flags",
    ]

    /// Columns written for raw records (`filter --records`) when none are given.
    public static let defaultRecordColumns = ["time", "request_id", "service", "level", "kind", "source", "message"]

    private let file: OutputFile
    private let columns: [String]
    /// Each column split into its path segments once.
    private let paths: [[String]]
    /// Each column resolved once for events.
    private let eventColumns: [CSVColumn]
    /// The rows of a batch of events, written out at once.
    private var rows: [UInt8] = []
    /// JSON text of a list cell on its way into the row.
    private var scratch = JSONWriter(capacity: 256)

    /// Writes to `path` with `columns`; `bom` starts the file with a UTF-8 byte order mark.
    public init(path: String, columns: [String], bom: Bool) throws(OutputError) {
        file = try OutputFile(path: path)
        self.columns = columns
        paths = columns.map { $0.split(separator: ".").map(String.init) }
        eventColumns = paths.map(CSVColumn.init)
        var header: [UInt8] = bom ? [0xEF, 0xBB, 0xBF] : []
        Self.appendRow(columns.map { Optional($0) }, to: &header)
        try file.write(header)
    }

    public func write(_ events: [AuditEvent]) throws(OutputError) {
        // Held in locals while the rows are written (a class's stored property is checked for exclusive access
        // at each use).
        var rows: [UInt8] = []
        var scratch = JSONWriter(capacity: 0)
        swap(&rows, &self.rows)
        swap(&scratch, &self.scratch)
        defer {
            swap(&rows, &self.rows)
            swap(&scratch, &self.scratch)
        }
        rows.removeAll(keepingCapacity: true)
        let columns = eventColumns
        events.readEachInPlace { e in
            for i in columns.indices {
                if i > 0 { rows.append(UInt8(ascii: ",")) }
                columns[i].append(e, to: &rows, scratch: &scratch)
            }
            rows.append(13)
            rows.append(10)
        }
        try file.write(rows)
    }

    /// Writes raw records (`filter --records`), the columns looked up in each record.
    public func write(records: [JSONValue]) throws(OutputError) {
        var row: [UInt8] = []
        for r in records {
            row.removeAll(keepingCapacity: true)
            Self.appendRow(paths.map { Self.cell(r.value(at: $0)) }, to: &row)
            try file.write(row)
        }
    }

    /// Pushes buffered output to the file or pipe.
    public func flush() throws(OutputError) { try file.flush() }

    public func close() throws(OutputError) { try file.close() }

    /// A cell's text: strings as they are, numbers and booleans as written, objects/arrays as JSON, null empty.
    static func cell(_ v: JSONValue?) -> String? {
        switch v {
        case .none, .some(.null): return nil
        case .some(.string(let s)): return neutralised(s)
        case .some(.number(let n)): return n
        case .some(.bool(let b)): return b ? "true" : "false"
        case .some(let other):
            var w = JSONWriter(capacity: 256)
            w.value(other)
            return neutralised(String(decoding: w.bytes, as: UTF8.self))
        }
    }

    /// Prefixes `'` to text a spreadsheet would evaluate (OWASP CSV injection).
    public static func neutralised(_ s: String) -> String {
        guard let first = s.utf8.first else { return s }
        switch first {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D: return "'" + s
        default: return s
        }
    }

    /// Appends one CSV row with CRLF, quoting cells that hold `,` `"` CR or LF.
    static func appendRow(_ cells: [String?], to out: inout [UInt8]) {
        for (i, cell) in cells.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            guard let cell else { continue }
            let needsQuotes = cell.utf8.contains {
                $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13
            }
            if needsQuotes {
                out.append(UInt8(ascii: "\""))
                for c in cell.utf8 {
                    if c == UInt8(ascii: "\"") { out.append(c) }
                    out.append(c)
                }
                out.append(UInt8(ascii: "\""))
            } else {
                out.append(contentsOf: cell.utf8)
            }
        }
        out.append(13)
        out.append(10)
    }
}
