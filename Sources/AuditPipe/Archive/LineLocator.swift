#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finds which line of a file a given line is, for a message: `archive`'s workers see a malformed line in a
/// merged, sorted chunk, without its place in the live file.
/// Only a failed run asks, so the file is read again in blocks (never whole).
enum LineLocator {
    /// The 1-based number of the first line of the file at `path` whose bytes are `line` (a line's `\r\n` read
    /// as its `\n`), or nil when none is, or the file cannot be read; the file is read `blockBytes` at a time.
    static func lineNumber(of line: UnsafeBufferPointer<UInt8>, inFile path: String, blockBytes: Int = 1 << 20)
        -> Int?
    {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var pending: [UInt8] = []
        var number = 0
        var block = [UInt8](repeating: 0, count: max(blockBytes, 1))
        while true {
            let n = block.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            var start = 0
            for i in 0..<n where block[i] == 10 {
                number += 1
                if pending.isEmpty {
                    if Self.same(block[start..<i], line) { return number }
                } else {
                    pending += block[start..<i]
                    if Self.same(pending[...], line) { return number }
                    pending.removeAll(keepingCapacity: true)
                }
                start = i + 1
            }
            // A line longer than the wanted one cannot be it: only its length is kept then.
            if pending.count <= line.count + 1 { pending += block[start..<n] }
        }
        return !pending.isEmpty && Self.same(pending[...], line) ? number + 1 : nil
    }

    /// True when `candidate`, without a final `\r`, holds the bytes of `line`.
    private static func same(_ candidate: ArraySlice<UInt8>, _ line: UnsafeBufferPointer<UInt8>) -> Bool {
        var c = candidate
        if c.last == 13 && line.last != 13 { c = c.dropLast() }
        return c.count == line.count && c.elementsEqual(line)
    }
}
