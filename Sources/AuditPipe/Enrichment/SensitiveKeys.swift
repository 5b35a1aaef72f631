/// Decides on UTF-8 bytes whether a key names a secret: ASCII letters compared case-insensitively and `-`
/// read as `_`, equal to an exact key or containing a key part.
struct SensitiveKeys: Sendable {
    private let exact: [[UInt8]]
    private let parts: [[UInt8]]

    /// Creates the matcher from exact keys and key parts (normalised here).
    init(exact: [String], parts: [String]) {
        self.exact = exact.map { Array($0.utf8).map(Self.fold) }
        self.parts = parts.map { Array($0.utf8).map(Self.fold) }
    }

    /// True when `key` is an exact key or contains a key part.
    func matches(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        for e in exact where e.count == key.count && equalFolded(key, 0, e) { return true }
        for p in parts where p.count <= key.count {
            var i = 0
            while i + p.count <= key.count {
                if equalFolded(key, i, p) { return true }
                i += 1
            }
        }
        return false
    }

    /// True when `key` (a String) names a secret.
    func matches(_ key: String) -> Bool {
        var k = key
        return k.withUTF8 { matches($0) }
    }

    private func equalFolded(_ key: UnsafeBufferPointer<UInt8>, _ at: Int, _ word: [UInt8]) -> Bool {
        for k in 0..<word.count where Self.fold(key[at + k]) != word[k] { return false }
        return true
    }

    /// ASCII lower case, `-` as `_`.
    static func fold(_ c: UInt8) -> UInt8 {
        if c >= 65 && c <= 90 { return c | 0x20 }
        return c == UInt8(ascii: "-") ? UInt8(ascii: "_") : c
    }
}
