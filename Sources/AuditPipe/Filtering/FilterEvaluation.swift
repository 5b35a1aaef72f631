extension FilterExpression {
    /// True when `subject` satisfies the expression.
    ///
    /// A missing or null field equals only `null`; `!=` is always the negation of `==`; an ordering
    /// comparison with a missing field is false. On a list field (`services`, `flags`) a test holds when it
    /// holds for any element (`!=`: for none). Numbers compare numerically (strings that are JSON numbers too, `NumericText`), status
    /// classes by their first digit, times as instants.
    public func matches(_ subject: some FilterSubject) -> Bool {
        switch self {
        case .constant(let b): return b
        case .and(let a, let b): return a.matches(subject) && b.matches(subject)
        case .or(let a, let b): return a.matches(subject) || b.matches(subject)
        case .not(let e): return !e.matches(subject)
        case .compare(let path, let op, let literal):
            let v = subject.filterValue(at: path)
            switch op {
            case .equal: return Self.equal(v, literal)
            case .notEqual: return !Self.equal(v, literal)
            default: return Self.ordered(v, op, literal)
            }
        case .isIn(let path, let list):
            let v = subject.filterValue(at: path)
            return list.contains { Self.equal(v, $0) }
        case .contains(let path, let literal):
            switch subject.filterValue(at: path) {
            case .json(.array(let items)): return items.contains { Self.equal(.json($0), literal) }
            case .json(.object(let members)):
                guard let key = Self.text(of: literal) else { return false }
                return members.contains { $0.key.sameBytes(as: key) }
            case .json(let scalar):
                guard let hay = scalar.scalarText, let needle = Self.text(of: literal) else { return false }
                return needle.isEmpty || ByteSearch.contains(hay, needle)
            default: return false
            }
        case .matches(let path, let regex):
            return Self.anyText(subject.filterValue(at: path), regex.matches)
        case .glob(let path, let glob):
            return Self.anyText(subject.filterValue(at: path), glob.matches)
        }
    }

    private static func anyText(_ v: FilterValue, _ test: (String) -> Bool) -> Bool {
        switch v {
        case .json(.array(let items)): return items.contains { $0.scalarText.map(test) ?? false }
        case .json(let scalar): return scalar.scalarText.map(test) ?? false
        case .time(let ns): return test(UTCTime.rfc3339Millis(ns))
        case .missing: return false
        }
    }

    private static func text(of literal: FilterLiteral) -> String? {
        switch literal {
        case .string(let s): s
        case .number(_, let text): text
        case .bool(let b): b ? "true" : "false"
        case .time(let ns): UTCTime.rfc3339Millis(ns)
        case .statusClass(let c): "\(c)xx"
        case .null: nil
        }
    }

    private static func equal(_ v: FilterValue, _ literal: FilterLiteral) -> Bool {
        switch (v, literal) {
        case (.missing, .null), (.json(.null), .null): return true
        case (_, .null), (.missing, _), (.json(.null), _): return false
        case (.json(.array(let items)), _): return items.contains { equal(.json($0), literal) }
        case (.json(.object), _): return false
        case (.time(let t), _): return compareTime(t, literal) == 0
        case (.json(let scalar), .statusClass(let c)):
            // NaN, an infinity or a number past `Int` (`"status":"NaN"`, `1e400`) is in no class (the conversion
            // trapped: one such value in a log killed the run).
            guard let n = number(scalar), let whole = Int(exactly: n.rounded(.towardZero)) else { return false }
            return whole / 100 == c
        case (.json(.bool(let b)), .bool(let x)): return b == x
        case (.json(let scalar), .number(let x, _)): return number(scalar) == x
        case (.json(let scalar), .time(let x)):
            return timeOf(scalar).map { $0 == x } ?? false
        case (.json(let scalar), _):
            // Byte for byte, as logged (and as `contains`, globs, the index and jq compare): Swift's `==` took
            // `café` and `cafe\u{301}` (canonically equivalent) as equal, where `contains "é"` did not.
            guard let a = scalar.scalarText, let b = text(of: literal) else { return false }
            return a.sameBytes(as: b)
        }
    }

    private static func ordered(_ v: FilterValue, _ op: ComparisonOperator, _ literal: FilterLiteral) -> Bool {
        let order: Int?
        switch (v, literal) {
        case (.json(.array(let items)), _): return items.contains { ordered(.json($0), op, literal) }
        case (.missing, _), (.json(.null), _), (_, .null), (.json(.object), _), (_, .statusClass): return false
        case (.time(let t), _): order = compareTime(t, literal)
        case (.json(let scalar), .time(let x)): order = timeOf(scalar).map { $0 < x ? -1 : $0 > x ? 1 : 0 }
        case (.json(let scalar), .number(let x, _)):
            order = number(scalar).map { $0 < x ? -1 : $0 > x ? 1 : 0 }
        case (.json(let scalar), _):
            // A quoted literal is text, for ordering as for `==` (a new-user trial: `"16.0" >= "16"` and
            // `<= "16"` held while `== "16"` did not); a number literal is the case above.
            guard let a = scalar.scalarText, let b = text(of: literal) else { return false }
            order = a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : a.sameBytes(as: b) ? 0 : 1
        }
        guard let order else { return false }
        switch op {
        case .less: return order < 0
        case .lessOrEqual: return order <= 0
        case .greater: return order > 0
        case .greaterOrEqual: return order >= 0
        case .equal, .notEqual: return false
        }
    }

    /// -1, 0, 1 comparing a time with a literal, or nil when the literal is not a time.
    private static func compareTime(_ t: Int64, _ literal: FilterLiteral) -> Int? {
        guard case .time(let x) = literal else { return nil }
        return t < x ? -1 : t > x ? 1 : 0
    }

    private static func number(_ v: JSONValue) -> Double? {
        switch v {
        case .number(let text): Double(text)
        case .string(let text): NumericText.value(text)
        default: nil
        }
    }

    private static func timeOf(_ v: JSONValue) -> Int64? {
        guard var text = v.scalarText else { return nil }
        return text.withUTF8 { TimestampParser(assumedYear: 1970).parseValue($0) }
    }
}
