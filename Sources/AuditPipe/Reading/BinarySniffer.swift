/// Tells a log from a file that is not one (an executable, an image, an archive, UTF-16) by its first 64 KiB:
/// more than three bytes in ten are not text — NUL, control bytes no log holds, or bytes that are not UTF-8.
/// Runs of NUL bytes (a torn write, a preallocated or copy-truncated file's hole) are left out of the count:
/// a log with such a run stays a log, the run's lines dead letters. A head more than 7/8 NUL is refused.
enum BinarySniffer {
    /// How much of a file is looked at.
    static let span = 64 << 10
    /// NUL bytes in a row from which they are a hole in the file, not binary data.
    static let holeRun = 16

    /// Why `head` is not text, or nil when it is.
    static func reason(_ head: [UInt8]) -> String? {
        guard !head.isEmpty else { return nil }
        // A tar archive: text files behind NUL-padded headers would pass for text once holes are left out.
        if head.count >= 262, Array(head[257..<262]) == Array("ustar".utf8) { return "it is a tar archive" }
        var bad = 0
        var holes = 0
        var i = 0
        let n = head.count
        while i < n {
            let b = head[i]
            if b == 0 {
                var end = i + 1
                while end < n, head[end] == 0 { end += 1 }
                if end - i >= holeRun {
                    holes += end - i
                } else {
                    bad += end - i
                }
                i = end
                continue
            }
            if b < 0x80 {
                // Tab, line feed, vertical tab, form feed, carriage return and escape (colour codes) are text.
                if (b < 0x20 && !(0x09...0x0D).contains(b) && b != 0x1B) || b == 0x7F { bad += 1 }
                i += 1
                continue
            }
            let length = b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0
            // A sequence cut by the end of the head counts as text.
            var valid = length > 0
            var k = 1
            while valid && k < length && i + k < n {
                if head[i + k] & 0xC0 != 0x80 { valid = false }
                k += 1
            }
            if valid {
                i += length
            } else {
                bad += 1
                i += 1
            }
        }
        let looked = n - holes
        if looked * 8 < n { return "\(holes) of its first \(n) bytes are NUL" }
        return bad * 10 > looked * 3
            ? "\(bad) of its first \(n) bytes are not text (NUL, control bytes or not UTF-8)" : nil
    }
}
