/// Small byte-scanning helpers shared by the text parsers.
enum ByteScanning {
    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

    @inline(__always)
    static func isHex(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) }

    /// Index of the next space at or after `i`, or `b.count`.
    @inline(__always)
    static func nextSpace(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        var j = i
        while j < b.count, b[j] != 32 { j += 1 }
        return j
    }

    /// Index of the next `c` at or after `i`, or nil.
    @inline(__always)
    static func find(_ c: UInt8, in b: UnsafeBufferPointer<UInt8>, from i: Int) -> Int? {
        var j = i
        while j < b.count {
            if b[j] == c { return j }
            j += 1
        }
        return nil
    }

    /// True when some byte of `b` is `x`, `y` or `z` (ASCII), read eight bytes a word (a loop a byte cost ~8
    /// instructions a byte on every path read).
    @inline(__always)
    static func contains(_ x: UInt8, _ y: UInt8, _ z: UInt8, in b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = b.baseAddress else { return false }
        let n = b.count
        let ones: UInt64 = 0x0101_0101_0101_0101
        // Nonzero when a byte of `w` is one of the three: a byte of `w ^ c` is zero where it equals `c`.
        @inline(__always) func holds(_ w: UInt64) -> Bool {
            let a = w ^ (ones &* UInt64(x))
            let c = w ^ (ones &* UInt64(y))
            let d = w ^ (ones &* UInt64(z))
            return (((a &- ones) & ~a) | ((c &- ones) & ~c) | ((d &- ones) & ~d)) & (ones &* 0x80) != 0
        }
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i + 8 <= n {
            if holds(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) { return true }
            i += 8
        }
        guard i < n else { return false }
        // The last one to seven bytes as one word, the bytes above them one none of the three is (DEL, or the
        // first below it that is not).
        var pad: UInt64 = 0x7F
        while pad == UInt64(x) || pad == UInt64(y) || pad == UInt64(z) { pad -= 1 }
        return holds(RequestIDHash.shortWord(raw + i, n - i) | (ones &* pad) &<< (8 * (n - i)))
    }

    /// True when `b` holds exactly the bytes of `s`.
    @inline(__always)
    static func equals(_ b: UnsafeBufferPointer<UInt8>, _ s: StaticString) -> Bool {
        b.count == s.utf8CodeUnitCount && hasPrefix(b, at: 0, s)
    }

    /// True when `b[i...]` starts with `s`.
    @inline(__always)
    static func hasPrefix(_ b: UnsafeBufferPointer<UInt8>, at i: Int, _ s: StaticString) -> Bool {
        s.withUTF8Buffer { w in
            guard i + w.count <= b.count else { return false }
            for k in 0..<w.count where b[i + k] != w[k] { return false }
            return true
        }
    }

    /// True when `b[i..<i+36]` is a UUID in 8-4-4-4-12 hex form.
    static func isUUID(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        guard i + 36 <= b.count else { return false }
        for k in 0..<36 {
            let c = b[i + k]
            if k == 8 || k == 13 || k == 18 || k == 23 {
                if c != UInt8(ascii: "-") { return false }
            } else if !isHex(c) {
                return false
            }
        }
        return true
    }

    /// A String from a byte range.
    @inline(__always)
    static func string(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self)
    }

    /// The slice as a buffer.
    @inline(__always)
    static func slice(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: b[r])
    }
}
