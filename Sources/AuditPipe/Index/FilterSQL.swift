/// A filter expression as SQL over the index's columns: a condition every matching regular row meets (so
/// the index narrows the candidates), and whether it is exact (a regular row meets it if and only if the
/// filter matches the event). Only forms whose meaning on a regular row is exactly `FilterEvaluation`'s are
/// translated; the rest translate to nothing (no narrowing), and every candidate is checked with the real
/// filter anyway. A comparison with a NULL column is NULL, which WHERE, AND and OR treat as false, the
/// filter's meaning for a missing field; NOT is written `IS NOT 1`, true for NULL too, so it keeps that
/// meaning. (Leaves stay plain `column = value`, so SQLite can use the indexes.)
struct FilterSQL: Equatable {
    /// The condition, or nil for none (every row is a candidate).
    var condition: String?
    var exact: Bool

    /// Translates `expression`.
    static func translate(_ expression: FilterExpression) -> FilterSQL {
        switch expression {
        case .constant(let b): return FilterSQL(condition: b ? "1" : "0", exact: true)
        case .and(let x, let y):
            let (a, b) = (translate(x), translate(y))
            let parts = [a.condition, b.condition].compactMap { $0 }
            return FilterSQL(
                condition: parts.isEmpty ? nil : "(" + parts.joined(separator: " AND ") + ")",
                exact: a.exact && b.exact)
        case .or(let x, let y):
            let (a, b) = (translate(x), translate(y))
            guard let ca = a.condition, let cb = b.condition else { return FilterSQL(condition: nil, exact: false) }
            return FilterSQL(condition: "(\(ca) OR \(cb))", exact: a.exact && b.exact)
        case .not(let x):
            let a = translate(x)
            guard a.exact, let c = a.condition else { return FilterSQL(condition: nil, exact: false) }
            return FilterSQL(condition: "((\(c)) IS NOT 1)", exact: true)
        case .compare(let path, let op, let literal):
            guard let field = IndexedField.named(path.segments) else { return .none }
            guard op == .equal || op == .notEqual else {
                return ordered(field, op, literal).map { FilterSQL(condition: $0, exact: true) } ?? .none
            }
            guard let eq = equal(field, literal) else { return .none }
            return FilterSQL(condition: op == .equal ? eq : "((\(eq)) IS NOT 1)", exact: true)
        case .isIn(let path, let list):
            guard let field = IndexedField.named(path.segments) else { return .none }
            var parts: [String] = []
            for literal in list {
                guard let eq = equal(field, literal) else { return .none }
                parts.append(eq)
            }
            return FilterSQL(condition: parts.isEmpty ? "0" : "(" + parts.joined(separator: " OR ") + ")", exact: true)
        case .contains(let path, let literal):
            guard let field = IndexedField.named(path.segments), case .string(let s) = literal, IndexedField.isPlain(s)
            else { return .none }
            switch field.kind {
            case .list: return equal(field, literal).map { FilterSQL(condition: $0, exact: true) } ?? .none
            case .text:
                let c =
                    s.isEmpty ? "(\(field.column) IS NOT NULL)" : "(instr(\(field.column), \(quote(s))) > 0)"
                return FilterSQL(condition: c, exact: true)
            default: return .none
            }
        case .glob(let path, let glob):
            guard let field = IndexedField.named(path.segments), field.kind == .text,
                let prefix = plainPrefix(glob.pattern)
            else { return .none }
            let n = prefix.utf8.count
            let c =
                n == 0
                ? "(\(field.column) IS NOT NULL)" : "(substr(\(field.column), 1, \(n)) = \(quote(prefix)))"
            return FilterSQL(condition: c, exact: true)
        case .matches: return .none
        }
    }

    /// No narrowing.
    static let none = FilterSQL(condition: nil, exact: false)

    /// `field == literal` on a regular row, or nil when it does not translate exactly.
    private static func equal(_ field: IndexedField, _ literal: FilterLiteral) -> String? {
        let c = field.column
        if literal == .null { return "(\(c) IS NULL)" }
        switch (field.kind, literal) {
        case (.time, .time(let t)): return "(\(c) = \(t))"
        case (.text, .string(let s)) where IndexedField.isPlain(s): return "(\(c) = \(quote(s)))"
        case (.integer, .number(let x, _)): return number(x).map { "(\(c) = \($0))" }
        case (.integer, .statusClass(let k)):
            // Int(n) / 100 == k for an integer n: a range, so the status index can serve it.
            return k > 0 ? "(\(c) >= \(k * 100) AND \(c) < \(k * 100 + 100))" : "(\(c) > -100 AND \(c) < 100)"
        case (.list, .string(let s)) where IndexedField.isPlain(s) && !s.utf8.contains(1):
            return "(instr(\(c), char(1) || \(quote(s)) || char(1)) > 0)"
        default: return nil
        }
    }

    /// `field OP literal` for an ordering operator, or nil.
    private static func ordered(_ field: IndexedField, _ op: ComparisonOperator, _ literal: FilterLiteral) -> String? {
        let c = field.column
        switch (field.kind, literal) {
        case (.integer, .statusClass): return "0"
        case (.time, .time(let t)): return "(\(c) \(op.rawValue) \(t))"
        case (.integer, .number(let x, _)): return number(x).map { "(\(c) \(op.rawValue) \($0))" }
        default: return nil
        }
    }

    /// A finite number as SQL text (an integer when it is one).
    private static func number(_ x: Double) -> String? {
        guard x.isFinite else { return nil }
        if x == x.rounded(), x.magnitude < 9e15 { return String(Int64(x)) }
        return "\(x)"
    }

    /// `PREFIX*` (or `*`) with a plain ASCII prefix: the byte prefix a glob of that form tests.
    static func plainPrefix(_ pattern: String) -> String? {
        let b = Array(pattern.utf8)
        guard let last = b.last, last == UInt8(ascii: "*") else { return nil }
        let prefix = b.dropLast()
        guard
            prefix.allSatisfy({
                $0 >= 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "*") && $0 != UInt8(ascii: "?")
                    && $0 != UInt8(ascii: "\\")
            })
        else { return nil }
        return String(decoding: prefix, as: UTF8.self)
    }

    /// A SQL string literal.
    static func quote(_ s: String) -> String { "'" + s.replacing("'", with: "''") + "'" }
}
