/// One token of a filter expression, with where it starts and ends (byte offsets).
struct FilterToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// A dotted field path or a keyword (`and`, `or`, `not`, `in`, `contains`, `true`, `false`, `null`).
        case word(String)
        case string(String)
        case number(Double, text: String)
        /// An RFC 3339 timestamp written bare (`2026-11-01T00:00:00Z`), in UTC nanoseconds.
        case time(Int64)
        /// An HTTP status class such as `4xx`, as its first digit.
        case statusClass(Int)
        /// `==`, `!=`, `<`, `<=`, `>`, `>=`, `=~`, `~`, `(`, `)`, `[`, `]`, `,`, and `&&`, `||`, `!`.
        case symbol(String)
        case end
    }

    var kind: Kind
    var start: Int
    var end: Int

    /// How an error message names this token.
    var described: String {
        switch kind {
        case .word(let w): "'\(w)'"
        case .string: "a string"
        case .number(_, let text): "the number \(text)"
        case .time: "a timestamp"
        case .statusClass(let c): "the status class \(c)xx"
        case .symbol(let s): "'\(s)'"
        case .end: "the end of the expression"
        }
    }
}
