/// Route templates as web frameworks log them: a path with a placeholder segment, `{id}` (FastAPI, Spring,
/// OpenAPI), `:id` (Express, Rails), `<id>` or `<int:id>` (Flask). Such a path names a route, not a request:
/// it is kept as `api.route`, never as `api.path`, and never gives an entity id.
public enum RouteTemplate {
    /// True when some segment of `path` (before any query string) is a placeholder.
    public static func isTemplate(_ path: String) -> Bool {
        path.withUTF8Bytes { isTemplate($0) }
    }

    /// True when some segment of the path in `b` (before any query string) is a placeholder.
    static func isTemplate(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        // Most paths hold no byte a placeholder starts with: those are looked at a word at a time.
        guard ByteScanning.contains(UInt8(ascii: "{"), UInt8(ascii: "<"), UInt8(ascii: ":"), in: b) else {
            return false
        }
        let n = b.count
        var start = 0
        while true {
            var i = start
            while i < n, b[i] != UInt8(ascii: "/"), b[i] != UInt8(ascii: "?"), b[i] != UInt8(ascii: "#") { i += 1 }
            // Only a segment starting `{`, `<` or `:` can be a placeholder.
            if i > start, canStartPlaceholder(b[start]), isPlaceholder(UnsafeBufferPointer(rebasing: b[start..<i])) {
                return true
            }
            guard i < n, b[i] == UInt8(ascii: "/") else { return false }
            start = i + 1
        }
    }

    @inline(__always)
    private static func canStartPlaceholder(_ c: UInt8) -> Bool {
        c == UInt8(ascii: "{") || c == UInt8(ascii: "<") || c == UInt8(ascii: ":")
    }

    /// True for a placeholder segment: `{name}` (also `{id:int}`), `:name`, `<name>`, `<int:name>`.
    static func isPlaceholder<C: BidirectionalCollection<UInt8>>(_ s: C) -> Bool {
        guard let first = s.first else { return false }
        switch first {
        case UInt8(ascii: "{"): return s.count >= 3 && s.last == UInt8(ascii: "}")
        case UInt8(ascii: "<"): return s.count >= 3 && s.last == UInt8(ascii: ">")
        case UInt8(ascii: ":"):
            // `:id`, `:user_id`, `:id?` (optional), `:id(\\d+)` (constrained): a name follows the colon.
            guard s.count >= 2 else { return false }
            let c = s[s.index(after: s.startIndex)]
            return (c | 0x20 >= 97 && c | 0x20 <= 122) || c == UInt8(ascii: "_")
        default: return false
        }
    }
}
