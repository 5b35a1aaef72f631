/// Splits a filter expression into tokens: dotted paths and keywords, quoted strings with escapes,
/// numbers, bare RFC 3339 timestamps, status classes (`4xx`) and operators.
struct FilterLexer {
    private let text: String
    private let bytes: [UInt8]
    private var i = 0

    init(_ text: String) {
        self.text = text
        bytes = Array(text.utf8)
    }

    /// All tokens, ending with `.end`.
    static func tokens(_ text: String) throws(FilterSyntaxError) -> [FilterToken] {
        var lexer = FilterLexer(text)
        var out: [FilterToken] = []
        while true {
            let t = try lexer.next()
            out.append(t)
            if t.kind == .end { return out }
        }
    }

    private mutating func next() throws(FilterSyntaxError) -> FilterToken {
        while i < bytes.count, bytes[i] == 32 || bytes[i] == 9 || bytes[i] == 10 || bytes[i] == 13 { i += 1 }
        let start = i
        guard i < bytes.count else { return FilterToken(kind: .end, start: i, end: i) }
        let c = bytes[i]
        if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") { return try string(quote: c) }
        if isDigit(c) || (c == UInt8(ascii: "-") && i + 1 < bytes.count && isDigit(bytes[i + 1])) {
            return try numberOrTime()
        }
        if isWordStart(c) {
            while i < bytes.count, isWordPart(bytes[i]) { i += 1 }
            let word = String(decoding: bytes[start..<i], as: UTF8.self)
            if word.hasSuffix(".") || word.contains("..") {
                throw FilterSyntaxError("malformed field path '\(word)'", at: start, in: text)
            }
            return FilterToken(kind: .word(word), start: start, end: i)
        }
        for op in ["==", "!=", "<=", ">=", "=~", "&&", "||", "<", ">", "~", "(", ")", "[", "]", ",", "!"] {
            if bytes[i...].starts(with: op.utf8) {
                i += op.utf8.count
                return FilterToken(kind: .symbol(op), start: start, end: i)
            }
        }
        if c == UInt8(ascii: "=") {
            throw FilterSyntaxError("unexpected '=': use '==' to compare", at: start, in: text)
        }
        let shown = c < 0x80 ? String(decoding: [c], as: UTF8.self) : "non-ASCII"
        throw FilterSyntaxError("unexpected character '\(shown)'", at: start, in: text)
    }

    private mutating func string(quote: UInt8) throws(FilterSyntaxError) -> FilterToken {
        let start = i
        i += 1
        var out: [UInt8] = []
        while i < bytes.count, bytes[i] != quote {
            if bytes[i] == UInt8(ascii: "\\") {
                guard i + 1 < bytes.count else { break }
                let e = bytes[i + 1]
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "*"), UInt8(ascii: "?"):
                    // kept escaped: a literal `*` or `?` in a glob pattern
                    out.append(UInt8(ascii: "\\"))
                    out.append(e)
                case UInt8(ascii: "u"):
                    let hex = bytes[min(i + 2, bytes.count)..<min(i + 6, bytes.count)]
                    guard hex.count == 4, let v = UInt32(String(decoding: hex, as: UTF8.self), radix: 16),
                        let scalar = Unicode.Scalar(v)
                    else {
                        throw FilterSyntaxError("'\\u' needs four hex digits", at: i, in: text)
                    }
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    i += 4
                default:
                    let shown = String(decoding: [e], as: UTF8.self)
                    throw FilterSyntaxError("unknown escape '\\\(shown)' in a string", at: i, in: text)
                }
                i += 2
                continue
            }
            out.append(bytes[i])
            i += 1
        }
        guard i < bytes.count else { throw FilterSyntaxError("unterminated string", at: start, in: text) }
        i += 1
        return FilterToken(kind: .string(String(decoding: out, as: UTF8.self)), start: start, end: i)
    }

    private mutating func numberOrTime() throws(FilterSyntaxError) -> FilterToken {
        let start = i
        while i < bytes.count, isWordPart(bytes[i]) || bytes[i] == UInt8(ascii: ":") || bytes[i] == UInt8(ascii: "+") {
            i += 1
        }
        let word = String(decoding: bytes[start..<i], as: UTF8.self)
        let w = Array(word.utf8)
        // A date: 2026-11-01 or a full RFC 3339 time.
        if w.count >= 10, w[4] == UInt8(ascii: "-"), w[7] == UInt8(ascii: "-"), w[0...3].allSatisfy(isDigit) {
            guard let ns = FilterLiteralTime.parse(word) else {
                throw FilterSyntaxError(
                    "invalid timestamp '\(word)' (expected RFC 3339, e.g. 2026-11-01T00:00:00Z)", at: start, in: text)
            }
            return FilterToken(kind: .time(ns), start: start, end: i)
        }
        if w.count == 3, w[1] | 0x20 == UInt8(ascii: "x"), w[2] | 0x20 == UInt8(ascii: "x"), isDigit(w[0]) {
            guard (1...5).contains(Int(w[0] - 48)) else {
                throw FilterSyntaxError("invalid status class '\(word)' (expected 1xx to 5xx)", at: start, in: text)
            }
            return FilterToken(kind: .statusClass(Int(w[0] - 48)), start: start, end: i)
        }
        guard let v = NumericText.value(word), v.isFinite else {
            throw FilterSyntaxError("invalid number '\(word)'", at: start, in: text)
        }
        return FilterToken(kind: .number(v, text: word), start: start, end: i)
    }

    private func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    private func isWordStart(_ c: UInt8) -> Bool { (c | 0x20 >= 97 && c | 0x20 <= 122) || c == 95 || c == 64 }
    private func isWordPart(_ c: UInt8) -> Bool {
        isWordStart(c) || isDigit(c) || c == UInt8(ascii: ".") || c == UInt8(ascii: "-")
    }
}

/// Timestamps written in expressions and in `--since`/`--until`: RFC 3339, or a bare date (midnight UTC).
enum FilterLiteralTime {
    /// UTC nanoseconds, or nil when the text is not a valid RFC 3339 time or date.
    static func parse(_ text: String) -> Int64? {
        var t = text
        let parser = TimestampParser(assumedYear: 1970)
        return t.withUTF8 { b -> Int64? in
            if b.count == 10 {
                var full = Array(b) + Array("T00:00:00Z".utf8)
                return full.withUnsafeMutableBufferPointer { fb in
                    parser.parseISO(UnsafeBufferPointer(fb), at: 0).flatMap { $0.1 == fb.count ? $0.0 : nil }
                }
            }
            return parser.parseISO(b, at: 0).flatMap { $0.1 == b.count ? $0.0 : nil }
        }
    }
}
