/// A CSV export (Frappe's list export: a header of labels with a leading `Sr` column; Codefresh's audit
/// CSV): read whole (up to a cap) and handed on as one compact JSON object per row, keyed by the header
/// labels made field names (`User ` → `user`, `Export From` → `export_from`; `Sr` dropped, empty cells
/// left out). Quoted cells may hold commas, quotes and line breaks (HTML in Frappe's `page`). Line numbers
/// then count rows (1-based, the header not counted). A row with an unclosed quote is handed on as its
/// raw text, so it is dead-lettered with its row number.
struct CSVDocumentSource: ByteSource {
    /// Starts a line that stands for a row that could not be read (the parser dead-letters it as `invalid_csv`).
    static let rejectedRowMarker: [UInt8] = [0] + Array("CSV:".utf8)

    private var lines: [UInt8] = []
    private var position = 0

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
        let keys = header.cells.map(Self.fieldName)
        var w = JSONWriter(capacity: all.count + all.count / 4)
        for row in rows {
            guard row.complete else {
                let end = min(all.count, row.offset + 4096)
                w.bytes.append(contentsOf: Self.rejectedRowMarker)
                w.bytes.append(contentsOf: all[row.offset..<end].map { $0 == 10 || $0 == 13 ? 32 : $0 })
                w.raw("\n")
                continue
            }
            if row.cells.count == 1 && row.cells[0].isEmpty { continue }
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
