/// A CSV export (Frappe's list export: a header of labels with a leading `Sr` column; Codefresh's audit
/// CSV): read whole (up to a cap) and handed on as one compact JSON object per row, keyed by the header
/// labels made field names (`User ` → `user`, `Export From` → `export_from`; `Sr` dropped, empty cells
/// left out). Quoted cells may hold commas, quotes and line breaks (HTML in Frappe's `page`). Line numbers
/// are the file's physical lines: a row spanning several lines (a quoted line break) is followed by one
/// `continuedRowMarker` line for each line after its first, counted with the row; the header's lines are not
/// counted, the first row keeps its own line number (`firstRowLine`). A row with an unclosed quote, or with more
/// or fewer cells than the header (a quote opened mid-file swallows the rows after it into one), is handed on as
/// its raw text after `rejectedRowMarker` (and a reason), so it is dead-lettered with the line it starts on.
struct CSVDocumentSource: ByteSource {
    /// Starts a line that stands for a row that could not be read (the parser dead-letters it as `invalid_csv`):
    /// the marker then the row's raw text (a row with an unclosed quote), or the marker, a NUL byte, the reason, a
    /// NUL byte and the raw text.
    static let rejectedRowMarker: [UInt8] = [0] + Array("CSV:".utf8)

    /// The reason and where the raw text starts in a line starting with `rejectedRowMarker`.
    static func rejectedRow(_ line: UnsafeBufferPointer<UInt8>) -> (reason: String, rawStart: Int) {
        RejectedLine.parse(line, marker: rejectedRowMarker, fallback: "CSV row with an unclosed quote")
    }

    /// A line that stands for one more physical line of the row above it (the joiner counts it with the row).
    static let continuedRowMarker: [UInt8] = [0] + Array("CSV+".utf8)

    private var lines: [UInt8] = []
    private var position = 0
    /// The physical line the first row starts on (the line after the header's).
    private(set) var firstRowLine: Int64 = 1

    /// True when `head` starts Frappe's list export: `Sr,` or `"Sr",` on the first line.
    static func looksLikeFrappeExport(_ head: [UInt8]) -> Bool {
        let h = head.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(head.dropFirst(3)) : head
        return h.starts(with: Array("Sr,".utf8)) || h.starts(with: Array(#""Sr","#.utf8))
    }

    /// Reads `upstream` to its end (after `prefix`) and turns rows into JSON lines.
    init(prefix: [UInt8], upstream: inout some ByteSource, name: String) throws(InputError) {
        var all = prefix
        while try upstream.read(into: &all, max: 1 << 20) > 0 {
            if all.count > JSONDocumentSource.maxBytes {
                throw InputError(
                    source: name, message: "CSV file over \(JSONDocumentSource.maxBytes >> 20) MiB; split it")
            }
        }
        upstream.close()
        var rows = CSVRows(all)
        guard let header = rows.next() else { return }
        // A log file read as CSV would lose its first line as a "header" and make every other line a row.
        if let problem = Self.headerProblem(header.cells) {
            throw InputError(
                source: name,
                message:
                    "not a CSV file: its first line is no header (\(problem)); a CSV export starts with column labels like 'User,Timestamp' (drop --format csv to read it as log lines)"
            )
        }
        firstRowLine = Int64(header.line + header.lineCount)
        let keys = header.cells.map(Self.fieldName)
        var w = JSONWriter(capacity: all.count + all.count / 4)
        for row in rows {
            defer {
                for _ in 1..<max(1, row.lineCount) {
                    w.append(contentsOf: Self.continuedRowMarker)
                    w.raw("\n")
                }
            }
            // An empty line stays a blank line.
            if row.complete && row.cells.count == 1 && row.cells[0].isEmpty {
                w.raw("\n")
                continue
            }
            // An unclosed quote's row is the marker alone (its stream and `bytes_read` as before); others name why.
            let problem =
                !row.complete
                ? ""
                : row.strayQuote
                    ? "CSV row with text after a closing quote (a quote left open on an earlier line swallows the lines up to the next quote)"
                    : row.cells.count != header.cells.count
                        ? "CSV row with \(row.cells.count) columns, the header has \(header.cells.count)" : nil
            if let problem {
                var end = min(row.offset + row.length, row.offset + 4096)
                while row.complete, end > row.offset, all[end - 1] == 10 || all[end - 1] == 13 { end -= 1 }
                var line: [UInt8] = []
                RejectedLine.write(all[row.offset..<end], reason: problem, marker: Self.rejectedRowMarker, to: &line)
                w.append(contentsOf: line)
                continue
            }
            var members: [JSONMember] = []
            for (i, cell) in row.cells.enumerated() where i < keys.count && !cell.isEmpty && keys[i] != "sr" {
                guard !keys[i].isEmpty else { continue }
                members.append(JSONMember(keys[i], .string(cell)))
            }
            w.value(.object(members))
            w.raw("\n")
        }
        lines = w.bytes
    }

    /// Why `cells` is no header row, or nil when each cell is a column label: at most 64 bytes, starting with a
    /// letter, `_` or `#`, of letters, digits, spaces and `_-./()#%?&'` — not a time, a JSON value or a sentence.
    static func headerProblem(_ cells: [String]) -> String? {
        guard cells.contains(where: { !$0.trimmingSpaces.isEmpty }) else { return "every cell is empty" }
        let timestamps = TimestampParser(assumedYear: 1970)
        for (i, cell) in cells.enumerated() {
            var label = cell.trimmingSpaces
            if label.isEmpty { continue }
            let shown = label.utf8.count > 40 ? String(label.prefix(40)) + "…" : label
            let what = "cell \(i + 1) '\(shown)'"
            if label.utf8.count > 64 { return "\(what) is longer than a column label" }
            if label.withUTF8({ timestamps.parseLeading($0, at: 0) }) != nil
                || label.withUTF8({ TimestampParser.parseEpoch($0) }) != nil
            {
                return "\(what) is a time"
            }
            let first = label.utf8.first!
            if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") { return "\(what) is JSON" }
            let isLetter = { (c: UInt8) in (c | 0x20 >= 97 && c | 0x20 <= 122) || c >= 0x80 }
            guard isLetter(first) || first == UInt8(ascii: "_") || first == UInt8(ascii: "#") else {
                return "\(what) does not start with a letter"
            }
            let allowed = Set("0123456789 _-./()#%?&'".utf8)
            if let bad = label.utf8.first(where: { !isLetter($0) && !allowed.contains($0) }) {
                return "\(what) holds '\(String(decoding: [bad], as: UTF8.self))'"
            }
        }
        return nil
    }

    /// A header label as a field name: trimmed, lower-cased, spaces and `-` as `_`.
    static func fieldName(_ label: String) -> String {
        String(label.trimmingSpaces.lowercased().map { $0 == " " || $0 == "-" ? "_" : $0 })
    }

    mutating func read(into buffer: inout [UInt8], max: Int) throws(InputError) -> Int {
        let n = min(max, lines.count - position)
        buffer.append(contentsOf: lines[position..<(position + n)])
        position += n
        return n
    }

    mutating func wouldBlock() -> Bool { false }
    mutating func close() {}
}
