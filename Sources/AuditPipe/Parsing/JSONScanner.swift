/// Why a JSON text was rejected, with the byte column of the fault.
public struct JSONSyntaxError: Error, Sendable, Equatable {
    /// What was wrong (`expected ':'`, `nesting deeper than 64`...).
    public var reason: String
    /// 0-based byte offset in the line.
    public var column: Int
}

/// A cursor over one JSON text in bytes: parses values into `JSONValue` or skips them, with a depth cap.
public struct JSONScanner {
    /// The bytes being scanned.
    public let b: UnsafeBufferPointer<UInt8>
    /// Current byte index.
    public var pos: Int
    /// Deepest nesting of arrays/objects accepted.
    public let maxDepth: Int
    /// True: an object keeps a key given twice as it came (`ArchiveDocument` refuses such a file). False (the
    /// default): the last value takes the first's place, as jq and Python read it.
    public var keepsRepeatedKeys = false

    /// Creates a scanner at the start of `bytes`.
    public init(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.b = bytes
        self.pos = 0
        self.maxDepth = maxDepth
    }

    /// Fails at the current position.
    public func fail(_ reason: String) -> JSONSyntaxError { JSONSyntaxError(reason: reason, column: pos) }

    /// Skips JSON whitespace.
    @inline(__always)
    public mutating func skipWhitespace() {
        while pos < b.count {
            let c = b[pos]
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { pos += 1 } else { return }
        }
    }

    /// The byte at the cursor, or nil at the end.
    @inline(__always)
    public var peek: UInt8? { pos < b.count ? b[pos] : nil }

    /// Consumes `c` (after whitespace) or fails.
    @inline(__always)
    public mutating func expect(_ c: UInt8) throws(JSONSyntaxError) {
        skipWhitespace()
        guard pos < b.count, b[pos] == c else {
            throw fail(pos < b.count ? "expected '\(Character(Unicode.Scalar(c)))'" : "unexpected end of line")
        }
        pos += 1
    }

    /// A string token's raw span (between the quotes) and whether it holds escapes.
    public struct StringSpan {
        /// Index of the first byte after the opening quote.
        public var start: Int
        /// Index of the closing quote.
        public var end: Int
        /// True when the span contains backslash escapes.
        public var escaped: Bool
    }

    /// Scans a string token at the cursor (which must be on `"`), returning its span.
    @inline(__always)
    public mutating func scanString() throws(JSONSyntaxError) -> StringSpan {
        guard pos < b.count, b[pos] == 0x22 else { throw fail("expected a string") }
        // Most strings are plain bytes up to their closing quote: found here, in the caller (a call per string
        // cost its setup, ~20 instructions of 100); escapes, faults and a string ending within eight bytes of
        // the line's end are scanned by `scanStringRest`.
        let start = pos + 1
        let stop = Self.skipPlain(b, from: start)
        if stop < b.count && b[stop] == 0x22 {
            pos = stop + 1
            return StringSpan(start: start, end: stop, escaped: false)
        }
        pos = stop
        return try scanStringRest(start: start)
    }

    /// `scanString` from `pos`, the bytes from `start` (the first after the opening quote) to `pos` plain.
    private mutating func scanStringRest(start: Int) throws(JSONSyntaxError) -> StringSpan {
        var escaped = false
        while pos < b.count {
            pos = Self.skipPlain(b, from: pos)
            guard pos < b.count else { break }
            let c = b[pos]
            if c == 0x22 {
                let span = StringSpan(start: start, end: pos, escaped: escaped)
                pos += 1
                return span
            }
            if c == 0x5C {
                // Only JSON's escapes: `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t` and `\u` with four hex digits.
                // Any other (`\x41`, `\q`, a cut `\u00`) lost its backslash when decoded: the line is not JSON.
                escaped = true
                guard pos + 1 < b.count else { break }
                switch b[pos + 1] {
                case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:
                    pos += 2
                case 0x75:
                    guard hex4(pos + 2, b.count) != nil else { throw fail("invalid \\u escape in string") }
                    pos += 6
                default:
                    throw fail("invalid escape in string")
                }
                continue
            }
            if c < 0x20 { throw fail("control character in string") }
            pos += 1
        }
        throw JSONSyntaxError(reason: "unterminated string", column: start - 1)
    }

    /// Where, at or after `i`, the first quote, backslash or control byte is, found eight bytes at a time; or
    /// where the last fewer than eight bytes start when no word holds one. The bytes skipped need no look.
    @inline(__always)
    static func skipPlain(_ b: UnsafeBufferPointer<UInt8>, from i: Int) -> Int {
        guard let base = b.baseAddress else { return i }
        // `i` stays at most `b.count` + 7, so the sums cannot overflow: no overflow check in the loop.
        var i = i
        while i &+ 8 <= b.count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
            let stops = stopMask(word)
            if stops != 0 { return i &+ (stops.trailingZeroBitCount &>> 3) }
            i &+= 8
        }
        return i
    }

    /// The high bit of each byte of `w` (read little-endian) that ends a run of plain string bytes: `"`, `\\`
    /// or a byte below 0x20. The lowest set bit is exact; bits above it may be false (a borrow carries up),
    /// so a caller looks only at the first.
    @inline(__always)
    static func stopMask(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = w ^ (ones &* 0x22)
        let backslash = w ^ (ones &* 0x5C)
        let control = (w &- ones &* 0x20) & ~w
        return (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | control) & highs
    }

    /// Decodes a string span into a `String`, resolving escapes (including surrogate pairs).
    public func decode(_ s: StringSpan) -> String {
        if !s.escaped { return String(decoding: UnsafeBufferPointer(rebasing: b[s.start..<s.end]), as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(s.end - s.start)
        var i = s.start
        while i < s.end {
            let c = b[i]
            if c != 0x5C {
                out.append(c)
                i += 1
                continue
            }
            guard i + 1 < s.end else { break }
            let e = b[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                guard let unit = hex4(i, s.end) else { out.append(contentsOf: [0xEF, 0xBF, 0xBD]); continue }
                i += 4
                i += Self.appendEscapedScalar(
                    unit, lowHalfIn: UnsafeBufferPointer(rebasing: b[..<s.end]), at: i, to: &out)
            default: out.append(e)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private func hex4(_ i: Int, _ end: Int) -> UInt32? {
        Self.hexValue(UnsafeBufferPointer(rebasing: b[..<end]), at: i, digits: 4)
    }

    /// Appends the UTF-8 of the scalar a `\uHHHH` escape's code unit `unit` names (JSON's, logfmt's): a high
    /// surrogate followed at `i` in `b` by a `\u` escape of a low one is joined with it, and a lone surrogate is
    /// U+FFFD. Returns the bytes of `b` the low half took (6, or 0).
    static func appendEscapedScalar(
        _ unit: UInt32, lowHalfIn b: UnsafeBufferPointer<UInt8>, at i: Int, to out: inout [UInt8]
    ) -> Int {
        var value = unit
        var taken = 0
        if (0xD800..<0xDC00).contains(unit), i + 6 <= b.count, b[i] == UInt8(ascii: "\\"),
            b[i + 1] == UInt8(ascii: "u"), let low = hexValue(b, at: i + 2, digits: 4), (0xDC00..<0xE000).contains(low)
        {
            value = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            taken = 6
        }
        UTF8.encode(Unicode.Scalar(value) ?? "\u{FFFD}") { out.append($0) }
        return taken
    }

    /// The value of `digits` hex digits of `b` at `i`, or nil when there are fewer or one is not a hex digit
    /// (JSON's `\uHHHH`, logfmt's `\xHH`, `\uHHHH` and `\UHHHHHHHH`).
    static func hexValue(_ b: UnsafeBufferPointer<UInt8>, at i: Int, digits: Int) -> UInt32? {
        guard i >= 0, i + digits <= b.count else { return nil }
        var v: UInt32 = 0
        for k in i..<(i + digits) {
            let c = b[k]
            let d: UInt32
            switch c {
            case 48...57: d = UInt32(c - 48)
            case 65...70: d = UInt32(c - 55)
            case 97...102: d = UInt32(c - 87)
            default: return nil
            }
            v = v << 4 | d
        }
        return v
    }

    /// Scans a number token, returning its byte range.
    public mutating func scanNumber() throws(JSONSyntaxError) -> Range<Int> {
        let start = pos
        if pos < b.count, b[pos] == UInt8(ascii: "-") { pos += 1 }
        let intStart = pos
        while pos < b.count, b[pos] >= 48, b[pos] <= 57 { pos += 1 }
        if pos == intStart { throw fail("invalid number") }
        // `007`, `-01`: not JSON, and written as read they made the output no JSON either.
        if pos - intStart > 1 && b[intStart] == 48 { throw fail("invalid number (a leading zero)") }
        if pos < b.count, b[pos] == UInt8(ascii: ".") {
            pos += 1
            let f = pos
            while pos < b.count, b[pos] >= 48, b[pos] <= 57 { pos += 1 }
            if pos == f { throw fail("invalid number") }
        }
        if pos < b.count, b[pos] | 0x20 == UInt8(ascii: "e") {
            pos += 1
            if pos < b.count, b[pos] == UInt8(ascii: "+") || b[pos] == UInt8(ascii: "-") { pos += 1 }
            let e = pos
            while pos < b.count, b[pos] >= 48, b[pos] <= 57 { pos += 1 }
            if pos == e { throw fail("invalid number") }
        }
        return start..<pos
    }

    private mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let n = word.utf8CodeUnitCount
        guard pos + n <= b.count else { throw fail("invalid literal") }
        let ok = word.withUTF8Buffer { w in
            for k in 0..<n where b[pos + k] != w[k] { return false }
            return true
        }
        guard ok else { throw fail("invalid literal") }
        pos += n
    }

    /// Parses the value at the cursor into a tree. `depth` is the nesting depth of the value.
    public mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        skipWhitespace()
        guard pos < b.count else { throw fail("unexpected end of line") }
        switch b[pos] {
        case 0x22: return .string(decode(try scanString()))
        case UInt8(ascii: "{"): return try parseObject(depth: depth) { _, _ in true }
        case UInt8(ascii: "["):
            guard depth < maxDepth else { throw fail("nesting deeper than \(maxDepth)") }
            pos += 1
            var items: [JSONValue] = []
            skipWhitespace()
            if peek == UInt8(ascii: "]") {
                pos += 1
                return .array(items)
            }
            while true {
                items.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                guard let c = peek else { throw fail("unexpected end of line") }
                pos += 1
                if c == UInt8(ascii: "]") { return .array(items) }
                if c != UInt8(ascii: ",") {
                    pos -= 1
                    throw fail("expected ',' or ']'")
                }
            }
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        default:
            let r = try scanNumber()
            return .number(String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self))
        }
    }

    /// Parses the object at the cursor as `parseValue` does, but builds only the members whose key `keep`
    /// accepts; the others are validated and skipped as `skipValue` does (same errors at the same columns).
    /// `keep` gets the key's raw bytes, and its decoded text when it has escapes.
    mutating func parseObject(
        depth: Int, keeping keep: (_ raw: UnsafeBufferPointer<UInt8>, _ decoded: String?) -> Bool
    ) throws(JSONSyntaxError) -> JSONValue {
        guard depth < maxDepth else { throw fail("nesting deeper than \(maxDepth)") }
        pos += 1
        var members: [JSONMember] = []
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            pos += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            let span = try scanString()
            try expect(UInt8(ascii: ":"))
            let decoded = span.escaped ? decode(span) : nil
            if keep(UnsafeBufferPointer(rebasing: b[span.start..<span.end]), decoded) {
                if members.isEmpty { members.reserveCapacity(4) }
                members.append(JSONMember(decoded ?? decode(span), try parseValue(depth: depth + 1)))
            } else {
                try skipValue(depth: depth + 1)
            }
            skipWhitespace()
            guard let c = peek else { throw fail("unexpected end of line") }
            pos += 1
            if c == UInt8(ascii: "}") {
                if !keepsRepeatedKeys { members.keepLastOfEachKey() }
                return .object(members)
            }
            if c != UInt8(ascii: ",") {
                pos -= 1
                throw fail("expected ',' or '}'")
            }
        }
    }

    /// Validates and skips the value at the cursor without building it.
    public mutating func skipValue(depth: Int) throws(JSONSyntaxError) {
        skipWhitespace()
        guard pos < b.count else { throw fail("unexpected end of line") }
        switch b[pos] {
        case 0x22: _ = try scanString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let isObject = b[pos] == UInt8(ascii: "{")
            guard depth < maxDepth else { throw fail("nesting deeper than \(maxDepth)") }
            pos += 1
            skipWhitespace()
            let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
            if peek == close {
                pos += 1
                return
            }
            while true {
                if isObject {
                    skipWhitespace()
                    _ = try scanString()
                    try expect(UInt8(ascii: ":"))
                }
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard let c = peek else { throw fail("unexpected end of line") }
                pos += 1
                if c == close { return }
                if c != UInt8(ascii: ",") {
                    pos -= 1
                    throw fail(isObject ? "expected ',' or '}'" : "expected ',' or ']'")
                }
            }
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try scanNumber()
        }
    }
}
