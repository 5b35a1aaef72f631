/// Structure inside text: Frappe stores report filters and columns as JSON text or as a Python repr
/// (`{'company': 'Acme', 'from_date': '2026-11-01', 'draft': False}`). Both become JSON values.
enum StructuredText {
    /// The object or array a string holds; other values, and text that is neither, come back unchanged.
    static func parse(_ v: JSONValue) -> JSONValue {
        guard case .string(let s) = v else { return v }
        let bytes = Array(s.utf8)
        guard let first = bytes.first(where: { $0 != 32 }), first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
        else { return v }
        if let json = try? bytes.withUnsafeBufferPointer({ b throws(JSONSyntaxError) -> JSONValue in
            var sc = JSONScanner(b, maxDepth: 32)
            sc.skipWhitespace()
            let value = try sc.parseValue(depth: 0)
            sc.skipWhitespace()
            guard sc.pos == b.count else { throw sc.fail("trailing text") }
            return value
        }) {
            return json
        }
        var p = PythonLiteral(bytes)
        if let value = p.value(depth: 0), p.atEnd { return value }
        return v
    }
}

/// A reader of Python literals (dicts, lists, tuples, strings in either quote, numbers, True/False/None).
struct PythonLiteral {
    private let b: [UInt8]
    private var i = 0

    init(_ bytes: [UInt8]) { b = bytes }

    var atEnd: Bool {
        mutating get {
            skipSpace()
            return i == b.count
        }
    }

    mutating func value(depth: Int) -> JSONValue? {
        guard depth < 32 else { return nil }
        skipSpace()
        guard i < b.count else { return nil }
        switch b[i] {
        case UInt8(ascii: "{"):
            i += 1
            var members: [JSONMember] = []
            while true {
                skipSpace()
                if i < b.count, b[i] == UInt8(ascii: "}") {
                    i += 1
                    return .object(members)
                }
                guard let k = value(depth: depth + 1)?.scalarText else { return nil }
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: ":") else { return nil }
                i += 1
                guard let v = value(depth: depth + 1) else { return nil }
                members.append(JSONMember(k, v))
                skipSpace()
                if i < b.count, b[i] == UInt8(ascii: ",") { i += 1 }
            }
        case UInt8(ascii: "["), UInt8(ascii: "("):
            let close = b[i] == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: ")")
            i += 1
            var items: [JSONValue] = []
            while true {
                skipSpace()
                if i < b.count, b[i] == close {
                    i += 1
                    return .array(items)
                }
                guard let v = value(depth: depth + 1) else { return nil }
                items.append(v)
                skipSpace()
                if i < b.count, b[i] == UInt8(ascii: ",") { i += 1 }
            }
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            let quote = b[i]
            i += 1
            var out: [UInt8] = []
            while i < b.count, b[i] != quote {
                if b[i] == UInt8(ascii: "\\"), i + 1 < b.count {
                    let e = b[i + 1]
                    out.append(e == UInt8(ascii: "n") ? 10 : e == UInt8(ascii: "t") ? 9 : e)
                    i += 2
                } else {
                    out.append(b[i])
                    i += 1
                }
            }
            guard i < b.count else { return nil }
            i += 1
            return .string(String(decoding: out, as: UTF8.self))
        default:
            let start = i
            while i < b.count, !",:]})".utf8.contains(b[i]), b[i] != 32 { i += 1 }
            let word = String(decoding: b[start..<i], as: UTF8.self)
            switch word {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .null
            default:
                guard !word.isEmpty, Double(word) != nil else { return nil }
                return .number(word)
            }
        }
    }

    private mutating func skipSpace() {
        while i < b.count, b[i] == 32 || b[i] == 10 || b[i] == 9 || b[i] == 13 { i += 1 }
    }
}
