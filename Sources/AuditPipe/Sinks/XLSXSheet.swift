/// An .xlsx workbook with one sheet (`events`): a bold header row, frozen, with an autofilter, then one row per
/// event or record; numbers as number cells, `start`/`end`/`time` as date cells, the rest as inline strings
/// (objects and lists as JSON text); dates are UTC, shown `yyyy-mm-dd hh:mm:ss.000` (LibreOffice rejects a
/// format with literal `T`/`Z`). Each column is as wide as its longest cell (up to 60 characters), so dates and
/// ids show whole instead of `###`, as Frappe's and Pydio's exports do. Written as a zip through zlib on
/// `finish`.
public struct XLSXSheet {
    private let columns: [String]
    private var rows: [UInt8] = []
    private var rowCount = 0
    /// The widest cell of each column, in characters.
    private var widths: [Int]

    /// Starts a sheet with these columns (dotted paths) as its header.
    public init(columns: [String]) {
        self.columns = columns
        widths = Array(repeating: 0, count: columns.count)
        appendRow(columns.map { .string($0) }, dateColumns: [], style: 2)
    }

    /// Adds a row for an event or record object.
    public mutating func append(_ object: JSONValue) {
        let values = columns.map { object.value(at: $0.split(separator: ".").map(String.init)) ?? .null }
        let dates = Set(columns.indices.filter { ["start", "end", "time"].contains(columns[$0]) })
        appendRow(values, dateColumns: dates, style: 0)
    }

    /// The workbook's bytes.
    public func finish() throws(OutputError) -> [UInt8] {
        let range = "A1:\(Self.columnName(max(0, columns.count - 1)))\(rowCount)"
        var zip = ZipWriter()
        try zip.add("[Content_Types].xml", Array(Self.contentTypes.utf8))
        try zip.add("_rels/.rels", Array(Self.rootRels.utf8))
        try zip.add("xl/workbook.xml", Array(Self.workbook(filterRange: range).utf8))
        try zip.add("xl/_rels/workbook.xml.rels", Array(Self.workbookRels.utf8))
        try zip.add("xl/styles.xml", Array(Self.styles.utf8))
        var head = Self.xmlHead + #"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#
        head += #"<sheetViews><sheetView workbookViewId="0">"#
        head += #"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>"#
        head += "<cols>"
        for (i, w) in widths.enumerated() {
            // A character is about one width unit in Calibri 11; a little padding, and a cap for long text.
            head += #"<col min="\#(i + 1)" max="\#(i + 1)" width="\#(min(60, max(8, w) + 2))" customWidth="1"/>"#
        }
        head += "</cols><sheetData>"
        var sheet = Array(head.utf8)
        sheet += rows
        sheet += Array(#"</sheetData><autoFilter ref="\#(range)"/></worksheet>"#.utf8)
        try zip.add("xl/worksheets/sheet1.xml", sheet)
        return zip.finish()
    }

    /// Appends a row; `style` 2 is the bold header.
    private mutating func appendRow(_ values: [JSONValue], dateColumns: Set<Int>, style: Int) {
        rowCount += 1
        rows += Array(#"<row r="\#(rowCount)">"#.utf8)
        for (i, v) in values.enumerated() {
            let ref = Self.columnName(i) + String(rowCount)
            switch v {
            case .null: continue
            case .number(let n):
                widths[i] = max(widths[i], n.utf8.count)
                rows += Array(#"<c r="\#(ref)"><v>\#(n)</v></c>"#.utf8)
            case .bool(let b):
                widths[i] = max(widths[i], 5)
                rows += Array(#"<c r="\#(ref)" t="b"><v>\#(b ? 1 : 0)</v></c>"#.utf8)
            case .string(var s) where dateColumns.contains(i):
                if let ns = s.withUTF8({ TimestampParser(assumedYear: 1970).parseValue($0) }) {
                    let serial = Double(ns / 1_000_000) / 86_400_000 + 25_569
                    widths[i] = max(widths[i], "yyyy-mm-dd hh:mm:ss.000".count)
                    rows += Array(#"<c r="\#(ref)" s="1"><v>\#(String(format12: serial))</v></c>"#.utf8)
                } else {
                    inlineString(ref, s, column: i, style: style)
                }
            case .string(let s): inlineString(ref, s, column: i, style: style)
            default:
                var w = JSONWriter(capacity: 128)
                w.value(v)
                inlineString(ref, String(decoding: w.bytes, as: UTF8.self), column: i, style: style)
            }
        }
        rows += Array("</row>".utf8)
    }

    private mutating func inlineString(_ ref: String, _ s: String, column: Int, style: Int) {
        widths[column] = max(widths[column], min(60, s.count) + (style == 2 ? 2 : 0))
        let styled = style == 0 ? "" : #" s="\#(style)""#
        rows += Array(#"<c r="\#(ref)"\#(styled) t="inlineStr"><is><t xml:space="preserve">"#.utf8)
        for c in s.unicodeScalars {
            switch c {
            case "&": rows += Array("&amp;".utf8)
            case "<": rows += Array("&lt;".utf8)
            case ">": rows += Array("&gt;".utf8)
            case "\"": rows += Array("&quot;".utf8)
            case "\t", "\n", "\r": rows += Array(String(c).utf8)
            case _ where c.value < 0x20 || c.value == 0xFFFE || c.value == 0xFFFF: continue  // not allowed in XML
            default: rows += Array(String(c).utf8)
            }
        }
        rows += Array("</t></is></c>".utf8)
    }

    /// `A`, `B`, … `Z`, `AA`, … for a 0-based column.
    static func columnName(_ index: Int) -> String {
        var n = index + 1
        var name: [UInt8] = []
        while n > 0 {
            let r = (n - 1) % 26
            name.insert(UInt8(65 + r), at: 0)
            n = (n - 1) / 26
        }
        return String(decoding: name, as: UTF8.self)
    }

    private static let xmlHead = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#
    private static let contentTypes =
        xmlHead
        + #"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#
    private static let rootRels =
        xmlHead
        + #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
    /// The workbook, with the autofilter's range named as spreadsheet programs expect.
    private static func workbook(filterRange: String) -> String {
        let absolute = filterRange.split(separator: ":").map { ref in
            let letters = ref.prefix { $0.isLetter }
            return "$\(letters)$\(ref.dropFirst(letters.count))"
        }.joined(separator: ":")
        return xmlHead
            + #"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="events" sheetId="1" r:id="rId1"/></sheets><definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">events!\#(absolute)</definedName></definedNames></workbook>"#
    }
    private static let workbookRels =
        xmlHead
        + #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#
    private static let styles =
        xmlHead
        + #"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss.000"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs></styleSheet>"#
}

extension String {
    /// A double with 12 decimals, without Foundation.
    init(format12 v: Double) {
        let whole = Int64(v.rounded(.down))
        var frac = Int64(((v - Double(whole)) * 1e12).rounded())
        var w = whole
        if frac >= 1_000_000_000_000 {
            w += 1
            frac -= 1_000_000_000_000
        }
        let digits = String(frac)
        self = "\(w)." + String(repeating: "0", count: 12 - digits.count) + digits
    }
}
