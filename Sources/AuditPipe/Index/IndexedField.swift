/// One event field the index keeps in its own column, and how its value is stored: the one table the row
/// builder, the SQL translation of filters and the index's schema are all read from.
struct IndexedField: Sendable {
    /// How a value is stored, and so which filters translate to SQL on it.
    enum Kind: Sendable {
        /// A time (UTC ns), as `start` and `end` are to a filter.
        case time
        /// An ASCII string, NULL for null or missing.
        case text
        /// An integer (its canonical text), NULL for null or missing.
        case integer
        /// A list of ASCII strings, stored as `\u{1}a\u{1}b\u{1}`; NULL for null or missing.
        case list
    }

    /// The column's name.
    let column: String
    /// The resolved filter path it answers.
    let segments: [String]
    let kind: Kind

    /// Every indexed field, in column order.
    static let all: [IndexedField] = [
        IndexedField(column: "start_ns", segments: ["start"], kind: .time),
        IndexedField(column: "end_ns", segments: ["end"], kind: .time),
        IndexedField(column: "event_id", segments: ["event_id"], kind: .text),
        IndexedField(column: "request_id", segments: ["request_id"], kind: .text),
        IndexedField(column: "user", segments: ["actor", "user"], kind: .text),
        IndexedField(column: "user_id", segments: ["actor", "user_id"], kind: .text),
        IndexedField(column: "ip", segments: ["actor", "ip"], kind: .text),
        IndexedField(column: "origin", segments: ["actor", "origin"], kind: .text),
        IndexedField(column: "action", segments: ["action"], kind: .text),
        IndexedField(column: "entity_type", segments: ["entity", "type"], kind: .text),
        IndexedField(column: "entity_id", segments: ["entity", "id"], kind: .text),
        IndexedField(column: "access_kind", segments: ["access", "kind"], kind: .text),
        IndexedField(column: "file_type", segments: ["access", "file_type"], kind: .text),
        IndexedField(column: "status", segments: ["outcome", "status"], kind: .integer),
        IndexedField(column: "result", segments: ["outcome", "result"], kind: .text),
        IndexedField(column: "services", segments: ["services"], kind: .list),
        IndexedField(column: "method", segments: ["api", "method"], kind: .text),
        IndexedField(column: "api_path", segments: ["api", "path"], kind: .text),
        IndexedField(column: "route", segments: ["api", "route"], kind: .text),
    ]

    /// The field answering `segments`, if one is indexed.
    static func named(_ segments: [String]) -> IndexedField? { all.first { $0.segments == segments } }

    /// The list separator (never in a regular list element).
    static let listSeparator = "\u{1}"

    /// The stored form of a filter value, or nil when the value does not fit the column (the row is then
    /// irregular: every query takes it as a candidate and only the real filter decides).
    func stored(_ value: FilterValue) -> SQLiteValue? {
        switch (kind, value) {
        case (.time, .time(let t)): return .int(t)
        case (.time, .missing): return .null
        case (_, .missing), (_, .json(.null)): return kind == .time ? nil : .null
        case (.text, .json(.string(let s))): return Self.isPlain(s) ? .text(s) : nil
        case (.integer, .json(.number(let text))):
            guard let n = Int64(text), String(n) == text, n.magnitude < 1 << 53 else { return nil }
            return .int(n)
        case (.list, .json(.array(let items))):
            var out = Self.listSeparator
            for item in items {
                guard case .string(let s) = item, Self.isPlain(s), !s.utf8.contains(1) else { return nil }
                out += s + Self.listSeparator
            }
            return .text(out)
        default: return nil
        }
    }

    /// ASCII without NUL: byte equality is then exactly Swift's string equality, byte prefixes are globs',
    /// and the text fits in a SQL literal.
    static func isPlain(_ s: String) -> Bool { s.utf8.allSatisfy { $0 > 0 && $0 < 0x80 } }
}
