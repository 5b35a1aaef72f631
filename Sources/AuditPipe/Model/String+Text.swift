/// Small text helpers on bytes, without Foundation.
extension String {
    /// Calls `body` with the string's UTF-8 bytes where they lie (native strings, small ones included), without
    /// the copy `var s = s; s.withUTF8` makes: a retain and a release a call, atomic on a string another core
    /// made. A string whose bytes are not contiguous is made so first.
    @inline(__always)
    func withUTF8Bytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if let r = try utf8.withContiguousStorageIfAvailable(body) { return r }
        var s = self
        return try s.withUTF8(body)
    }

    /// True when both strings are the same UTF-8 bytes (no Unicode equivalence, which `==` applies): the lengths
    /// first, then the bytes where they lie (`utf8.elementsEqual` walked both views byte by byte, ~180
    /// instructions a comparison).
    func sameBytes(as other: String) -> Bool {
        utf8.count == other.utf8.count && withUTF8Bytes { a in other.withUTF8Bytes { b in a.elementsEqual(b) } }
    }

    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }

    /// `%2F`-style escapes decoded when they form valid UTF-8; the text itself otherwise.
    var removingPercentEncodingIfValid: String {
        guard utf8.contains(UInt8(ascii: "%")) else { return self }
        var out: [UInt8] = []
        var it = Array(utf8)[...]
        while let c = it.popFirst() {
            if c == UInt8(ascii: "%"), it.count >= 2, let h = Self.hex(it[it.startIndex]),
                let l = Self.hex(it[it.startIndex + 1])
            {
                out.append(h << 4 | l)
                it = it.dropFirst(2)
            } else {
                out.append(c)
            }
        }
        return String(validating: out, as: UTF8.self) ?? self
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 65...70: c - 55
        case 97...102: c - 87
        default: nil
        }
    }

    /// Every occurrence of `target` replaced (no Foundation).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
