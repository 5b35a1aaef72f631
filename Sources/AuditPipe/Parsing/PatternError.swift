/// A text pattern, grok definition or id pattern that cannot be used: what is wrong and where (a byte offset
/// into the pattern as written).
public struct PatternError: Error, Sendable, Equatable {
    /// What is wrong, e.g. `unknown grok pattern 'TIMESTAMP'`.
    public let message: String
    /// Byte offset of the fault in the pattern.
    public let offset: Int
    /// The pattern as written.
    public let pattern: String

    /// Creates an error at a byte offset of `pattern`.
    public init(_ message: String, at offset: Int, in pattern: String) {
        self.message = message
        self.offset = max(0, min(offset, pattern.utf8.count))
        self.pattern = pattern
    }

    /// The fault's column in characters (0-based), for a caret under it.
    public var column: Int {
        String(decoding: Array(pattern.utf8).prefix(offset), as: UTF8.self).count
    }

    /// Three lines: the message, the pattern, and a caret under the fault.
    public var rendered: String {
        let shown = pattern.replacing("\n", with: " ").replacing("\t", with: " ")
        return "\(message)\n  \(shown)\n  \(String(repeating: " ", count: column))^"
    }
}
