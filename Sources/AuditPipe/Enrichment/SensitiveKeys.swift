/// Decides on UTF-8 bytes whether a key names a secret. ASCII letters compare case-insensitively and `-` reads
/// as `_`. A key is sensitive when it equals an exact key, contains a key part, or ends in a last word (the
/// word after the last `_`, `-`, `.` or camelCase hump: `X-Auth`, `basicAuth`, `DB_PWD`, but not `author`).
struct SensitiveKeys: Sendable {
    private let exact: [[UInt8]]
    private let parts: [[UInt8]]
    private let lastWords: [[UInt8]]
    /// Bit `c - 97` set when a part starts with the letter `c`; bit 26 when one starts with something else.
    private let partStarts: UInt32

    /// Creates the matcher from exact keys, key parts and last words (normalised here).
    init(exact: [String], parts: [String], lastWords: [String] = []) {
        self.exact = exact.map { Array($0.utf8).map(Self.fold) }
        self.parts = parts.map { Array($0.utf8).map(Self.fold) }
        self.lastWords = lastWords.map { Array($0.utf8).map(Self.fold) }
        var starts: UInt32 = 0
        for p in self.parts { if let f = p.first { starts |= Self.startBit(f) } }
        partStarts = starts
    }

    /// True when no key can match.
    var isEmpty: Bool { exact.isEmpty && parts.isEmpty && lastWords.isEmpty }

    /// True when `key` is an exact key, contains a key part or ends in a last word.
    func matches(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = key.count
        guard n > 0 else { return false }
        for e in exact where e.count == n && equalFolded(key, 0, e) { return true }
        if partStarts != 0 {
            var i = 0
            while i < n {
                let c = Self.fold(key[i])
                if partStarts & Self.startBit(c) != 0 {
                    for p in parts where p[0] == c && i + p.count <= n && equalFolded(key, i, p) { return true }
                }
                i += 1
            }
        }
        if !lastWords.isEmpty {
            let start = Self.lastWordStart(key)
            for w in lastWords where w.count == n - start && equalFolded(key, start, w) { return true }
        }
        return false
    }

    /// True when `key` (a String) names a secret.
    func matches(_ key: String) -> Bool {
        var k = key
        return k.withUTF8 { matches($0) }
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

    private func equalFolded(_ key: UnsafeBufferPointer<UInt8>, _ at: Int, _ word: [UInt8]) -> Bool {
        for k in 0..<word.count where Self.fold(key[at + k]) != word[k] { return false }
        return true
    }

    private static func startBit(_ folded: UInt8) -> UInt32 {
        folded >= 97 && folded <= 122 ? 1 << UInt32(folded - 97) : 1 << 26
    }

    /// ASCII lower case, `-` as `_`.
    static func fold(_ c: UInt8) -> UInt8 {
        if c >= 65 && c <= 90 { return c | 0x20 }
        return c == UInt8(ascii: "-") ? UInt8(ascii: "_") : c
    }
}
