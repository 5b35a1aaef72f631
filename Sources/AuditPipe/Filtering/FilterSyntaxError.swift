/// A malformed filter expression: what was expected, and where (a byte offset into the expression).
public struct FilterSyntaxError: Error, Sendable, Equatable {
    /// What is wrong, e.g. `expected a value after '==', found the end of the expression`.
    public let message: String
    /// Byte offset of the fault in the expression.
    public let offset: Int
    /// The expression as written.
    public let expression: String

    /// Creates an error at a byte offset of `expression`.
    public init(_ message: String, at offset: Int, in expression: String) {
        self.message = message
        self.offset = offset
        self.expression = expression
    }

    /// Three lines: the message, the expression, and a caret under the fault.
    public var rendered: String {
        let shown = expression.replacing("\n", with: " ").replacing("\t", with: " ")
        let column = String(decoding: Array(expression.utf8).prefix(offset), as: UTF8.self).count
        return "bad filter expression: \(message)\n  \(shown)\n  \(String(repeating: " ", count: column))^"
    }
}
