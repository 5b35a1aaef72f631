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

    /// The fault's 1-based line and column in a file where the pattern is a YAML block scalar (`|` or `>`)
    /// whose indicator is on line `indicatorLine` of `lines`: each content line is found in the pattern in turn
    /// (a literal block keeps its line breaks, a folded one makes them spaces). Nil when the lines do not hold it.
    public func position(inBlockScalarAfter indicatorLine: Int, of lines: [Substring]) -> (line: Int, column: Int)? {
        let text = Array(pattern.utf8)
        var at = 0
        var indent: Int?
        var last: (line: Int, column: Int)?
        for number in (indicatorLine + 1)...max(indicatorLine + 1, lines.count) where number <= lines.count {
            var line = lines[number - 1]
            if line.hasSuffix("\r") { line = line.dropLast() }
            let spaces = line.prefix { $0 == " " }.count
            if line.allSatisfy({ $0 == " " }) { continue }
            if let indent, spaces < indent { break }
            if indent == nil { indent = spaces }
            let content = Array(line.dropFirst(indent ?? 0).utf8)
            guard let start = Self.find(content, in: text, from: at) else { return last }
            let column = { (bytes: Int) in
                (indent ?? 0) + 1 + String(decoding: content.prefix(bytes), as: UTF8.self).count
            }
            if offset < start {
                // A fault on the break before this line is at the end of the line above; one before the first
                // line's text is in the spaces an indentation indicator (`|2`) kept, left of that text.
                return last ?? (number, max(1, column(0) - (start - offset)))
            }
            let end = start + content.count
            if offset <= end { return (number, column(offset - start)) }
            last = (number, column(content.count))
            at = end
        }
        return last
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard needle.count <= haystack.count - from else { return nil }
        for i in from...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) {
            return i
        }
        return nil
    }
}
