/// Parses the filter language: comparisons on dotted paths joined by `and`, `or`, `not` and parentheses.
///
///     expr       := and ("or" and)*            ("||" also)
///     and        := unary ("and" unary)*       ("&&" also)
///     unary      := "not" unary | "(" expr ")" | "true" | "false" | test      ("!" also)
///     test       := path ("==" | "!=" | "<" | "<=" | ">" | ">=" | "contains") value
///                 | path "in" "[" value ("," value)* "]" | path "=~" string | path "~" string
///     value      := string | number | timestamp | status class (4xx) | true | false | null
public struct FilterParser {
    /// What the expression is evaluated against; decides which fields exist and which are times.
    public enum Target: Sendable {
        /// Audit events (the schema's fields, with shorthands such as `user` for `actor.user`).
        case events
        /// Raw records (`time`, `service`, `level`, `message`, `request_id`, `fields.*`, …; another name is an error).
        case records
    }

    private let text: String
    private let tokens: [FilterToken]
    private let target: Target
    private var k = 0
    private var depth = 0
    /// Deepest nesting of parentheses and `not` accepted (the parser recurses; this keeps the stack safe).
    static let maxDepth = 256

    /// Parses `text`; the error names what was expected where.
    public static func parse(_ text: String, for target: Target = .events) throws(FilterSyntaxError)
        -> FilterExpression
    {
        var p = FilterParser(text: text, tokens: try FilterLexer.tokens(text), target: target)
        let e = try p.orExpression()
        let t = p.tokens[p.k]
        switch t.kind {
        case .end: return e
        case .symbol(")"): throw p.error("unexpected ')' without a matching '('", at: t)
        default: throw p.error("expected 'and', 'or' or the end of the expression, found \(t.described)", at: t)
        }
    }

    private init(text: String, tokens: [FilterToken], target: Target) {
        self.text = text
        self.tokens = tokens
        self.target = target
    }

    private var current: FilterToken { tokens[k] }

    private func error(_ message: String, at t: FilterToken) -> FilterSyntaxError {
        FilterSyntaxError(message, at: t.start, in: text)
    }

    private mutating func take(word: String, or symbol: String) -> Bool {
        if current.kind == .word(word) || current.kind == .symbol(symbol) {
            k += 1
            return true
        }
        return false
    }

    private mutating func orExpression() throws(FilterSyntaxError) -> FilterExpression {
        var e = try andExpression()
        while take(word: "or", or: "||") { e = .or(e, try andExpression()) }
        return e
    }

    private mutating func andExpression() throws(FilterSyntaxError) -> FilterExpression {
        var e = try unary()
        while take(word: "and", or: "&&") { e = .and(e, try unary()) }
        return e
    }

    private mutating func unary() throws(FilterSyntaxError) -> FilterExpression {
        let t = current
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else {
            throw error("expression nested deeper than \(Self.maxDepth) levels", at: t)
        }
        switch t.kind {
        case .word("not"), .symbol("!"):
            k += 1
            return .not(try unary())
        case .symbol("("):
            k += 1
            let e = try orExpression()
            guard current.kind == .symbol(")") else {
                throw error(
                    "expected ')' to close the '(' at column \(column(of: t)), found \(current.described)",
                    at: current)
            }
            k += 1
            return e
        case .word("true"):
            k += 1
            return .constant(true)
        case .word("false"):
            k += 1
            return .constant(false)
        case .word(let w) where !Self.keywords.contains(w):
            k += 1
            return try test(path: try resolve(w, at: t))
        default:
            throw error("expected a field path, found \(t.described)", at: t)
        }
    }

    private mutating func test(path: FieldPath) throws(FilterSyntaxError) -> FilterExpression {
        let opToken = current
        k += 1
        switch opToken.kind {
        case .symbol(let s) where ComparisonOperator(rawValue: s) != nil:
            let op = ComparisonOperator(rawValue: s)!
            let valueToken = current
            var v = try value(after: "'\(s)'")
            if case .statusClass = v, op != .equal, op != .notEqual {
                throw error("a status class can only be compared with == or !=", at: valueToken)
            }
            v = try timeIfNeeded(v, path: path, at: valueToken)
            v = try levelIfNeeded(v, path: path, at: valueToken)
            return .compare(path, op, v)
        case .word("contains"):
            let valueToken = current
            return .contains(path, try levelIfNeeded(try value(after: "'contains'"), path: path, at: valueToken))
        case .word("in"):
            guard current.kind == .symbol("[") else {
                throw error("expected '[' to start a list after 'in', found \(current.described)", at: current)
            }
            k += 1
            var items: [FilterLiteral] = []
            while true {
                if current.kind == .symbol("]") && items.isEmpty {
                    k += 1
                    break
                }
                let valueToken = current
                let item = try timeIfNeeded(try value(after: nil), path: path, at: valueToken)
                items.append(try levelIfNeeded(item, path: path, at: valueToken))
                if current.kind == .symbol(",") {
                    k += 1
                    continue
                }
                guard current.kind == .symbol("]") else {
                    throw error("expected ',' or ']' in the list, found \(current.described)", at: current)
                }
                k += 1
                break
            }
            return .isIn(path, items)
        case .symbol("=~"):
            guard case .string(let pattern) = current.kind else {
                throw error("'=~' needs a quoted regular expression, found \(current.described)", at: current)
            }
            let patternToken = current
            k += 1
            do {
                return .matches(path, try FilterRegex(pattern))
            } catch let failure as FilterRegexError {
                throw self.error(
                    "invalid regular expression \"\(pattern)\": \(failure.message) at offset \(failure.offset)",
                    at: patternToken)
            } catch {
                throw self.error("invalid regular expression \"\(pattern)\"", at: patternToken)
            }
        case .symbol("~"):
            guard case .string(let pattern) = current.kind else {
                throw error("'~' needs a quoted glob pattern, found \(current.described)", at: current)
            }
            k += 1
            return .glob(path, GlobPattern(pattern))
        default:
            throw error(
                "expected an operator (== != < <= > >= in contains =~ ~) after '\(path.written)', found \(opToken.described)",
                at: opToken)
        }
    }

    private mutating func value(after what: String?) throws(FilterSyntaxError) -> FilterLiteral {
        let t = current
        let v: FilterLiteral
        switch t.kind {
        case .string(let s): v = .string(s)
        case .number(let n, let text): v = .number(n, text: text)
        case .time(let ns): v = .time(ns)
        case .statusClass(let c): v = .statusClass(c)
        case .word("true"): v = .bool(true)
        case .word("false"): v = .bool(false)
        case .word("null"): v = .null
        default:
            let place = what.map { "after \($0)" } ?? "in the list"
            throw error("expected a value \(place), found \(t.described)", at: t)
        }
        k += 1
        return v
    }

    /// On a time field (`start`, `end`, a record's `time`) a quoted string must be a timestamp.
    private func timeIfNeeded(_ v: FilterLiteral, path: FieldPath, at t: FilterToken) throws(FilterSyntaxError)
        -> FilterLiteral
    {
        guard case .string(let s) = v, FieldCatalog.isTime(path, target: target) else { return v }
        guard let ns = FilterLiteralTime.parse(s) else {
            throw error("invalid timestamp '\(s)' (expected RFC 3339, e.g. 2026-11-01T00:00:00Z)", at: t)
        }
        return .time(ns)
    }

    /// On a level (a record's `level`, the keys of an event's `levels`) a name is one of the stored ones; its
    /// common synonyms (`warning`, `err`, `critical`, `panic`, any case) mean the stored name.
    private func levelIfNeeded(_ v: FilterLiteral, path: FieldPath, at t: FilterToken) throws(FilterSyntaxError)
        -> FilterLiteral
    {
        let isLevel =
            path.segments.count == 1
            && (target == .records ? path.segments[0] == "level" : path.segments[0] == "levels")
        guard isLevel, case .string(let s) = v else { return v }
        var bytes = Array(s.utf8)
        let level = bytes.withUnsafeMutableBufferPointer { LogLevel.parse(UnsafeBufferPointer($0)) }
        guard let level else {
            let names = LogLevel.allCases.map(\.name).joined(separator: ", ")
            throw error(
                "unknown level '\(s)' (levels are \(names); warning, err, critical and the like mean them)", at: t)
        }
        return .string(level.name)
    }

    private func resolve(_ written: String, at t: FilterToken) throws(FilterSyntaxError) -> FieldPath {
        let path: FieldPath
        do throws(FieldCatalog.UnknownField) {
            path = try FieldCatalog.resolve(written, target: target)
        } catch {
            throw self.error(error.message, at: t)
        }
        // `levels.warning` is `levels.warn`: the stored name, whatever synonym is written.
        guard target == .events, path.segments.count == 2, path.segments[0] == "levels" else { return path }
        let level = try levelIfNeeded(
            .string(path.segments[1]), path: FieldPath(segments: ["levels"], written: ""), at: t)
        guard case .string(let name) = level else { return path }
        return FieldPath(segments: ["levels", name], written: written)
    }

    private func column(of t: FilterToken) -> Int {
        String(decoding: Array(text.utf8).prefix(t.start), as: UTF8.self).count + 1
    }

    private static let keywords: Set<String> = ["and", "or", "not", "in", "contains", "true", "false", "null"]
}
