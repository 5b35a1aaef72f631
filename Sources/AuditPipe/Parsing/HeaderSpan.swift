/// One member of a headers object that a record reads, its key and value as they lie in the line (valid while the
/// line's bytes are, which `FieldCollector.build` runs within): `JSONLineParser` reads a gateway's headers this
/// way instead of building a tree of them (a tree cost ~3,500 instructions a record and its strings).
struct HeaderSpan {
    /// The member's key, as written (ASCII, no escapes).
    var key: UnsafeBufferPointer<UInt8>
    /// The member's string value, between its quotes (no escapes).
    var value: UnsafeBufferPointer<UInt8>

    /// Adds a member to `spans` as the tree `FieldCollector.header` reads would hold it: a key given again takes
    /// its last value in its first place; a key that differs only in case from an earlier one is never read (the
    /// earlier one is found first), so it is not kept.
    static func add(key: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>, to spans: inout [HeaderSpan]) {
        for i in spans.indices where foldedEqual(spans[i].key, key) {
            if spans[i].key.elementsEqual(key) { spans[i].value = value }
            return
        }
        spans.append(HeaderSpan(key: key, value: value))
    }

    /// The value of the first of `names` (lower-case) a member of `spans` has, not empty, as
    /// `FieldCollector.header` reads a tree of string values: the first member whose lower-cased key is the name.
    static func value(in spans: [HeaderSpan], names: [String]) -> String? {
        for name in names {
            let found = name.withUTF8Bytes { n in spans.first { foldedEqual($0.key, n, foldingRight: false) } }
            if let found, !found.value.isEmpty { return String(decoding: found.value, as: UTF8.self) }
        }
        return nil
    }

    /// True when `a`, ASCII letters lower-cased, is `b` (lower-cased likewise when `foldingRight`).
    private static func foldedEqual(
        _ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>, foldingRight: Bool = true
    ) -> Bool {
        guard a.count == b.count else { return false }
        for i in 0..<a.count where fold(a[i]) != (foldingRight ? fold(b[i]) : b[i]) { return false }
        return true
    }

    @inline(__always)
    private static func fold(_ c: UInt8) -> UInt8 { c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c | 0x20 : c }
}
