/// Parses logfmt lines (`time=… level=info msg="…" request_id=…`), as written by logrus, go-kit and Heroku.
struct LogfmtParser {
    let roles: FieldRoleTable
    let timestamps: TimestampParser
    var keepExtra: Bool
    /// The roles read (a lean parse's, `JSONLineParser.keeps`); the other keys' values are skipped.
    var keeps = RoleMask.all
    /// The worker's recent field values, shared by the `String`s plain values become (nil: each made anew).
    var recent: RecentStrings? = nil

    /// True when the line starts with `key=` and holds at least two pairs.
    static func looksLikeLogfmt(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        var pairs = 0
        while i < b.count, pairs < 2 {
            let keyStart = i
            while i < b.count, isKeyByte(b[i]) { i += 1 }
            guard i > keyStart, i < b.count, b[i] == UInt8(ascii: "=") else { return false }
            pairs += 1
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "\"") {
                i += 1
                while i < b.count, b[i] != UInt8(ascii: "\"") { i += b[i] == UInt8(ascii: "\\") ? 2 : 1 }
                i += 1
            } else {
                while i < b.count, b[i] != 32 { i += 1 }
            }
            while i < b.count, b[i] == 32 { i += 1 }
        }
        return pairs >= 2
    }

    @inline(__always)
    static func isKeyByte(_ c: UInt8) -> Bool {
        (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 95 || c == 46 || c == 45
            || c == 64
    }

    /// Collects every pair of the line; a malformed pair (unterminated quote) throws.
    func parse(_ b: UnsafeBufferPointer<UInt8>, into c: inout FieldCollector) throws(JSONSyntaxError) {
        var i = 0
        while i < b.count {
            while i < b.count, b[i] == 32 || b[i] == 9 { i += 1 }
            guard i < b.count else { break }
            let keyStart = i
            while i < b.count, Self.isKeyByte(b[i]) { i += 1 }
            let key = UnsafeBufferPointer(rebasing: b[keyStart..<i])
            guard !key.isEmpty else {
                throw JSONSyntaxError(reason: "expected a key", column: i)
            }
            let role = roles.role(key)
            guard i < b.count, b[i] == UInt8(ascii: "=") else {
                if keepExtra { c.extra.append(JSONMember(FieldCollector.string(key), .bool(true))) }
                continue
            }
            i += 1
            var value: UnsafeBufferPointer<UInt8>
            var decoded: String?
            if i < b.count, b[i] == UInt8(ascii: "\"") {
                let start = i + 1
                i += 1
                var escaped = false
                while i < b.count, b[i] != UInt8(ascii: "\"") {
                    if b[i] == UInt8(ascii: "\\") {
                        escaped = true
                        i += 1
                    }
                    i += 1
                }
                guard i < b.count else { throw JSONSyntaxError(reason: "unterminated quoted value", column: start - 1) }
                value = UnsafeBufferPointer(rebasing: b[start..<i])
                if escaped { decoded = Self.unescape(value) }
                i += 1
            } else {
                let start = i
                while i < b.count, b[i] != 32, b[i] != 9 { i += 1 }
                value = UnsafeBufferPointer(rebasing: b[start..<i])
            }
            if keeps.isAll, let captures = roles.captures, let index = captures.lookup(key), index >= 0 {
                c.capture(index, .string(decoded ?? FieldCollector.string(value)), count: roles.captureCount)
            }
            if let role, keeps.contains(role) {
                if let decoded {
                    c.offer(role, string: decoded, timestamps: timestamps)
                } else {
                    c.offer(role, value, timestamps: timestamps, recent: recent)
                }
            }
            if keepExtra, !(role?.isCore ?? false) {
                c.extra.append(JSONMember(FieldCollector.string(key), .string(decoded ?? FieldCollector.string(value))))
            }
        }
    }

    /// A quoted value's text: the escapes Go's loggers write (`\"`, `\\`, `\n`, `\t`, `\r`, `\b`, `\f`, `\a`,
    /// `\v`, `\/`, `\xHH`, `\uHHHH` with surrogate pairs, `\UHHHHHHHH`) resolved; any other backslash is kept as
    /// written (it was dropped: `caf\u00e9` read `cafu00e9`).
    static func unescape(_ v: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(v.count)
        var i = 0
        while i < v.count {
            guard v[i] == UInt8(ascii: "\\"), i + 1 < v.count else {
                out.append(v[i])
                i += 1
                continue
            }
            let e = v[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "a"): out.append(7)
            case UInt8(ascii: "v"): out.append(11)
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
                let digits = e == UInt8(ascii: "x") ? 2 : e == UInt8(ascii: "u") ? 4 : 8
                guard let value = JSONScanner.hexValue(v, at: i, digits: digits) else {
                    out.append(UInt8(ascii: "\\"))
                    out.append(e)
                    continue
                }
                i += digits
                if e == UInt8(ascii: "x") {
                    // A byte (Go's `%q` writes bytes that are not UTF-8 so); an invalid sequence becomes U+FFFD.
                    out.append(UInt8(value))
                    continue
                }
                if e == UInt8(ascii: "u") {
                    i += JSONScanner.appendEscapedScalar(value, lowHalfIn: v, at: i, to: &out)
                } else {
                    UTF8.encode(Unicode.Scalar(value) ?? "\u{FFFD}") { out.append($0) }
                }
            default:
                out.append(UInt8(ascii: "\\"))
                out.append(e)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
