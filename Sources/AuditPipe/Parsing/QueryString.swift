/// URL query strings: split from a URL, parsed into a JSON object with percent-decoding.
public enum QueryString {
    /// Splits `path?query#fragment` into the path and the query (nil when absent). Absolute URLs keep their path.
    public static func split(url: String) -> (path: String, query: String?) {
        var rest = Substring(url)
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        if let scheme = ByteSearch.offset(of: "://", in: String(rest)) {
            let afterHost = rest[rest.utf8.index(rest.startIndex, offsetBy: scheme + 3)...]
            rest = afterHost.firstIndex(where: { $0 == "/" || $0 == "?" }).map { afterHost[$0...] } ?? "/"
        }
        guard let q = rest.firstIndex(of: "?") else { return (String(rest), nil) }
        return (String(rest[..<q]), String(rest[rest.index(after: q)...]))
    }

    /// Parses `a=1&b=x%20y&b=z` into `{"a":"1","b":["x y","z"]}` (repeated keys become arrays, order kept).
    public static func parse(_ query: String) -> JSONValue {
        var members: [JSONMember] = []
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = percentDecode(parts[0])
            let value = JSONValue.string(parts.count > 1 ? percentDecode(parts[1]) : "")
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
        return .object(members)
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
