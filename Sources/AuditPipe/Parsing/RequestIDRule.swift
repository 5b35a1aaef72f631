/// How request ids compare (README "Correlation"): byte for byte and case-sensitive (`ABC` and `abc` are
/// two requests: merging ids that differ only in case could join unrelated requests), after trimming
/// ASCII spaces and tabs at both ends (` abc ` is `abc`). An id longer than 256 bytes is capped: its first
/// 200 bytes, `~`, and the 64-bit FNV-1a of the whole id in hex, so long ids stay distinct but bounded.
enum RequestIDRule {
    static let maxBytes = 256
    static let keptBytes = 200

    /// True when `normalize` would return something other than `id` (so a record's id, and its hash, are set
    /// again only then).
    static func changes(_ id: String) -> Bool {
        // Read from the string's own bytes: `utf8.last` through the view's indices cost ~80 instructions a record.
        let fast = id.utf8.withContiguousStorageIfAvailable { b in
            guard let first = b.first, let last = b.last else { return true }
            return first == 32 || first == 9 || last == 32 || last == 9 || b.count > maxBytes
        }
        if let fast { return fast }
        let utf8 = id.utf8
        guard let first = utf8.first, let last = utf8.last else { return true }
        return first == 32 || first == 9 || last == 32 || last == 9 || utf8.count > maxBytes
    }

    /// The id as it is grouped on, or nil when nothing is left.
    static func normalize(_ id: String?) -> String? {
        guard var id else { return nil }
        let utf8 = id.utf8
        guard let first = utf8.first, let last = utf8.last else { return nil }
        if first == 32 || first == 9 || last == 32 || last == 9 {
            var s = Substring(id)
            while let f = s.utf8.first, f == 32 || f == 9 { s = s.dropFirst() }
            while let l = s.utf8.last, l == 32 || l == 9 { s = s.dropLast() }
            if s.isEmpty { return nil }
            id = String(s)
        }
        guard id.utf8.count > maxBytes else { return id }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in id.utf8 {
            hash ^= UInt64(b)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        var end = id.utf8.index(id.utf8.startIndex, offsetBy: keptBytes)
        while end > id.utf8.startIndex, id.utf8[end] & 0xC0 == 0x80 { end = id.utf8.index(before: end) }
        let hex = String(hash, radix: 16)
        return String(id[..<end]) + "~" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
