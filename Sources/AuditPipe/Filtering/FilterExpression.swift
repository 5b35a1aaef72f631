/// A parsed filter expression, ready to evaluate against events or records.
public indirect enum FilterExpression: Sendable {
    case constant(Bool)
    case and(FilterExpression, FilterExpression)
    case or(FilterExpression, FilterExpression)
    case not(FilterExpression)
    /// `path OP literal` with `==`, `!=`, `<`, `<=`, `>`, `>=`.
    case compare(FieldPath, ComparisonOperator, FilterLiteral)
    /// `path in [a, b, …]`.
    case isIn(FieldPath, [FilterLiteral])
    /// `path contains literal`: substring of a string, element of a list, key of an object.
    case contains(FieldPath, FilterLiteral)
    /// `path =~ "regex"`, unanchored.
    case matches(FieldPath, FilterRegex)
    /// `path ~ "glob*"`, anchored; `*` any run, `?` one character.
    case glob(FieldPath, GlobPattern)
}

/// The ordering and equality operators.
public enum ComparisonOperator: String, Sendable {
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
}

/// A literal on the right of an operator.
public enum FilterLiteral: Sendable, Equatable {
    case string(String)
    case number(Double, text: String)
    case time(Int64)
    case statusClass(Int)
    case bool(Bool)
    case null
}

/// A dotted path into an event or record (`actor.user`, `api.payload.amount`), shorthands resolved.
public struct FieldPath: Sendable, Equatable {
    /// The path's segments.
    public let segments: [String]
    /// The path as written.
    public let written: String

    /// Creates a path from its segments (shorthands are not resolved here).
    public init(segments: [String], written: String) {
        self.segments = segments
        self.written = written
    }
}

/// A compiled regular expression (Swift Regex is not Sendable; it is only read after compiling).
public final class FilterRegex: @unchecked Sendable {
    let regex: Regex<AnyRegexOutput>
    /// The pattern as written.
    public let pattern: String

    init(_ pattern: String) throws {
        self.pattern = pattern
        regex = try Regex(pattern)
    }

    /// True when the pattern matches somewhere in `s`.
    func matches(_ s: String) -> Bool { (try? regex.firstMatch(in: s)) != nil }
}
