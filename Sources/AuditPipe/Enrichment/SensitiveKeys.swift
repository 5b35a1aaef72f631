/// Decides on UTF-8 bytes whether a key names a secret. ASCII letters compare case-insensitively and `-` reads
/// as `_`. A key is sensitive when it equals an exact key, contains a key part, or ends in a last word (the
/// word after the last `_`, `-`, `.` or camelCase hump: `X-Auth`, `basicAuth`, `DB_PWD`, but not `author`).
/// Every word sits in one byte array, parts bucketed by their first letter, so a check touches no reference
/// count and compares only parts that start with the key's byte.
struct SensitiveKeys: Sendable {
    private struct Word: Sendable {
        var start: Int32
        var count: Int32
    }

    private let bytes: [UInt8]
    private let exact: [Word]
    private let lastWords: [Word]
    /// Parts ordered by bucket; bucket `k` (letters `a`…`z`, then 26 for any other byte) is
    /// `parts[bucketStart[k]..<bucketStart[k + 1]]`.
    private let parts: [Word]
    private let bucketStart: [Int32]
    /// Bit `n` set when an exact key is `n` bytes long (`n` < 64; longer exact keys set bit 63).
    private let exactLengths: UInt64
    private let shortestPart: Int

    /// Creates the matcher from exact keys, key parts and last words (normalised here).
    init(exact: [String], parts: [String], lastWords: [String] = []) {
        var bytes: [UInt8] = []
        func store(_ s: String) -> Word? {
            let folded = Array(s.utf8).map(Self.fold)
            guard !folded.isEmpty else { return nil }
            defer { bytes += folded }
            return Word(start: Int32(bytes.count), count: Int32(folded.count))
        }
        let exactWords = exact.compactMap(store)
        self.exact = exactWords
        self.lastWords = lastWords.compactMap(store)
        let partWords = parts.compactMap { p -> (Int, Word)? in
            guard let w = store(p) else { return nil }
            return (Self.bucket(Self.fold(p.utf8.first!)), w)
        }.sorted { $0.0 < $1.0 }
        self.parts = partWords.map(\.1)
        var starts = [Int32](repeating: 0, count: 28)
        for k in 0..<28 { starts[k] = Int32(partWords.firstIndex { $0.0 >= k } ?? partWords.count) }
        bucketStart = starts
        self.bytes = bytes
        exactLengths = exactWords.reduce(0) { $0 | 1 << UInt64(min(Int($1.count), 63)) }
        shortestPart = partWords.map { Int($0.1.count) }.min() ?? Int.max
    }

    /// True when no key can match.
    var isEmpty: Bool { exact.isEmpty && parts.isEmpty && lastWords.isEmpty }

    /// True when `key` is an exact key, contains a key part or ends in a last word.
    func matches(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = key.count
        guard n > 0 else { return false }
        return bytes.withUnsafeBufferPointer { w in
            if exactLengths & (1 << UInt64(min(n, 63))) != 0 {
                for e in exact where Int(e.count) == n && Self.equalFolded(key, 0, w, e) { return true }
            }
            if n >= shortestPart {
                for i in 0...(n - shortestPart) {
                    let k = Self.bucket(Self.fold(key[i]))
                    var j = Int(bucketStart[k])
                    let end = Int(bucketStart[k + 1])
                    while j < end {
                        let p = parts[j]
                        if i + Int(p.count) <= n && Self.equalFolded(key, i, w, p) { return true }
                        j += 1
                    }
                }
            }
            if !lastWords.isEmpty {
                let start = Self.lastWordStart(key)
                for l in lastWords where Int(l.count) == n - start && Self.equalFolded(key, start, w, l) {
                    return true
                }
            }
            return false
        }
    }

    /// True when `key` (a String) names a secret.
    func matches(_ key: String) -> Bool {
        key.withUTF8Bytes { matches($0) }
    }

    /// Where the key's last word starts: a run of lower-case letters and digits with the capital before it
    /// (`basicAuth` → `Auth`), or a run of capitals (`DB_PWD` → `PWD`).
    static func lastWordStart(_ key: UnsafeBufferPointer<UInt8>) -> Int {
        var s = key.count
        func isUpper(_ c: UInt8) -> Bool { c >= 65 && c <= 90 }
        func isLowerOrDigit(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
        if isUpper(key[s - 1]) {
            while s > 0, isUpper(key[s - 1]) { s -= 1 }
        } else {
            while s > 0, isLowerOrDigit(key[s - 1]) { s -= 1 }
            if s > 0, isUpper(key[s - 1]) { s -= 1 }
        }
        return s
    }

    @inline(__always)
    private static func equalFolded(
        _ key: UnsafeBufferPointer<UInt8>, _ at: Int, _ w: UnsafeBufferPointer<UInt8>, _ word: Word
    ) -> Bool {
        let s = Int(word.start)
        for k in 0..<Int(word.count) where fold(key[at + k]) != w[s + k] { return false }
        return true
    }

    /// The bucket of a folded byte: 0…25 for `a`…`z`, 26 for anything else.
    @inline(__always)
    private static func bucket(_ folded: UInt8) -> Int {
        folded >= 97 && folded <= 122 ? Int(folded - 97) : 26
    }

    /// ASCII lower case, `-` as `_`.
    @inline(__always)
    static func fold(_ c: UInt8) -> UInt8 {
        if c >= 65 && c <= 90 { return c | 0x20 }
        return c == UInt8(ascii: "-") ? UInt8(ascii: "_") : c
    }
}
