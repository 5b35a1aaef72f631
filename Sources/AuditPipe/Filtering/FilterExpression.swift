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
    /// The record field a one-segment path names, resolved once: a `switch` over the segment's text cost every
    /// record a string comparison per case.
    let recordField: RecordField?

    /// Creates a path from its segments (shorthands are not resolved here).
    public init(segments: [String], written: String) {
        self.segments = segments
        self.written = written
        recordField = segments.count == 1 ? RecordField(rawValue: segments[0]) : nil
    }
}

/// A compiled regular expression: PCRE2 (JIT) with a bound on backtracking, so a pathological pattern such as
/// `^(a|aa)+$` gives up on a value instead of holding a core for minutes.
public final class FilterRegex: Sendable {
    let regex: CompiledRegex
    /// The pattern as written.
    public let pattern: String

    init(_ pattern: String) throws {
        self.pattern = pattern
        do {
            regex = try CompiledRegex(pattern)
        } catch {
            throw FilterRegexError(message: error.message, offset: error.offset)
        }
    }

    /// True when the pattern matches somewhere in `s` (false when it gives up).
    func matches(_ s: String) -> Bool {
        var s = s
        let data = RegexMatchData(for: regex)
        return s.withUTF8 { regex.match($0, data) }
    }
}

/// Why a filter's regular expression did not compile.
struct FilterRegexError: Error {
    var message: String
    var offset: Int
}
