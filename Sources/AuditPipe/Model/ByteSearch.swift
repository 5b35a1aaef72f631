/// Substring search on UTF-8 bytes, for hot paths: Foundation's `String.contains`/`range(of:)` go through
/// CFString and cost more than parsing a line.
enum ByteSearch {
    /// Byte offset of `needle` in `haystack`, or nil.
    static func offset(of needle: String, in haystack: String) -> Int? {
        haystack.withUTF8Bytes { hb in
            needle.withUTF8Bytes { nb -> Int? in
                guard let first = nb.first, nb.count <= hb.count else { return nil }
                var i = 0
                let last = hb.count - nb.count
                outer: while i <= last {
                    if hb[i] == first {
                        for k in 1..<nb.count where hb[i + k] != nb[k] {
                            i += 1
                            continue outer
                        }
                        return i
                    }
                    i += 1
                }
                return nil
            }
        }
    }

    /// True when `haystack` contains `needle`.
    static func contains(_ haystack: String, _ needle: String) -> Bool { offset(of: needle, in: haystack) != nil }
}
