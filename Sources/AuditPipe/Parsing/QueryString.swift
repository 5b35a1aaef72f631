/// URL query strings: split from a URL, parsed into a JSON object with percent-decoding.
public enum QueryString {
    /// Splits `path?query#fragment` into the path and the query (nil when absent). Absolute URLs keep their path.
    public static func split(url: String) -> (path: String, query: String?) {
        var u = url
        if let split = u.withUTF8({ splitASCII($0) }) { return split }
        var rest = Substring(url)
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        if let scheme = ByteSearch.offset(of: "://", in: String(rest)) {
            let afterHost = rest[rest.utf8.index(rest.startIndex, offsetBy: scheme + 3)...]
            rest = afterHost.firstIndex(where: { $0 == "/" || $0 == "?" }).map { afterHost[$0...] } ?? "/"
        }
        guard let q = rest.firstIndex(of: "?") else { return (String(rest), nil) }
        return (String(rest[..<q]), String(rest[rest.index(after: q)...]))
    }

    /// `split(url:)` on the bytes of an ASCII URL (where every character is one byte, so byte and character
    /// searches agree); nil for any other text.
    private static func splitASCII(_ b: UnsafeBufferPointer<UInt8>) -> (path: String, query: String?)? {
        guard isASCII(b) else { return nil }
        var end = b.count
        if let hash = firstIndex(of: UInt8(ascii: "#"), in: b, 0..<end) { end = hash }
        var start = 0
        if let scheme = offset(ofSchemeSeparatorIn: b, end: end) {
            var k = scheme + 3
            while k < end, b[k] != UInt8(ascii: "/"), b[k] != UInt8(ascii: "?") { k += 1 }
            guard k < end else { return ("/", nil) }
            start = k
        }
        guard let q = firstIndex(of: UInt8(ascii: "?"), in: b, start..<end) else {
            return (string(b, start..<end), nil)
        }
        return (string(b, start..<q), string(b, q + 1..<end))
    }

    /// Parses `a=1&b=x%20y&b=z` into `{"a":"1","b":["x y","z"]}` (repeated keys become arrays, order kept).
    public static func parse(_ query: String) -> JSONValue {
        var members: [JSONMember] = []
        func add(_ key: String, _ value: JSONValue) {
            if let i = members.firstIndex(where: { $0.key == key }) {
                if case .array(var items) = members[i].value {
                    items.append(value)
                    members[i].value = .array(items)
                } else {
                    members[i].value = .array([members[i].value, value])
                }
            } else {
                members.append(JSONMember(key, value))
            }
        }
        var q = query
        let ascii = q.withUTF8 { b -> Bool in
            // ASCII text: split on bytes (each character is one byte), without walking characters.
            guard isASCII(b) else { return false }
            var start = 0
            while start <= b.count {
                var end = start
                while end < b.count, b[end] != UInt8(ascii: "&") { end += 1 }
                if end > start {
                    if let eq = firstIndex(of: UInt8(ascii: "="), in: b, start..<end) {
                        add(decodedString(b, start..<eq), .string(decodedString(b, eq + 1..<end)))
                    } else {
                        add(decodedString(b, start..<end), .string(""))
                    }
                }
                start = end + 1
            }
            return true
        }
        if ascii { return .object(members) }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = percentDecode(parts[0])
            add(key, .string(parts.count > 1 ? percentDecode(parts[1]) : ""))
        }
        return .object(members)
    }

    private static func isASCII(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var bits: UInt8 = 0
        for c in b { bits |= c }
        return bits < 0x80
    }

    private static func firstIndex(of c: UInt8, in b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        var i = range.lowerBound
        while i < range.upperBound {
            if b[i] == c { return i }
            i += 1
        }
        return nil
    }

    /// Byte offset of the first `://` before `end`.
    private static func offset(ofSchemeSeparatorIn b: UnsafeBufferPointer<UInt8>, end: Int) -> Int? {
        var i = 0
        while i + 3 <= end {
            if b[i] == UInt8(ascii: ":"), b[i + 1] == UInt8(ascii: "/"), b[i + 2] == UInt8(ascii: "/") { return i }
            i += 1
        }
        return nil
    }

    private static func string(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: b[range]), as: UTF8.self)
    }

    /// `percentDecode` of a byte range, as a string.
    private static func decodedString(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        let part = UnsafeBufferPointer(rebasing: b[range])
        guard part.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else {
            return String(decoding: part, as: UTF8.self)
        }
        return String(decoding: percentDecode(part), as: UTF8.self)
    }

    /// Decodes `%XX` escapes and `+` as space; invalid escapes are kept as written.
    public static func percentDecode(_ s: Substring) -> String {
        guard s.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else { return String(s) }
        var sub = s
        return String(decoding: sub.withUTF8 { percentDecode($0) }, as: UTF8.self)
    }

    /// Decodes `%XX` escapes and `+` as space in bytes; invalid escapes are kept as written.
    static func percentDecode(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "+") {
                out.append(32)
            } else if c == UInt8(ascii: "%"), i + 2 < bytes.count, let h = hex(bytes[i + 1]), let l = hex(bytes[i + 2])
            {
                out.append(h << 4 | l)
                i += 2
            } else {
                out.append(c)
            }
            i += 1
        }
        return out
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 65...70: c - 55
        case 97...102: c - 87
        default: nil
        }
    }
}
