#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a day's event lines come from when the day is archived: the locked live file, scanned in blocks
/// and read again line by line through a window as the merge asks for them (never held whole), or bytes
/// already in memory (an existing archive day, inflated). Offsets are byte positions in the source.
final class DaySource {
    private enum Storage {
        case file(Int32)
        case memory([UInt8])
    }

    /// The file it reads, for messages.
    let name: String
    private let storage: Storage
    /// File bytes from `windowStart` on, kept for the lines the merge asks for next.
    private var window: [UInt8] = []
    private var windowStart = 0
    /// Lines read on their own since the last one found in the window.
    private var misses = 0
    /// Bytes read at once when scanning.
    private let blockBytes: Int
    /// Bytes the window holds.
    private let windowBytes: Int

    /// A source reading the open file `descriptor` (from its start; the caller keeps it open), scanned
    /// `blockBytes` at a time and read through a window of `windowBytes`.
    init(descriptor: Int32, name: String, blockBytes: Int = 1 << 20, windowBytes: Int = 4 << 20) {
        self.name = name
        storage = .file(descriptor)
        self.blockBytes = blockBytes
        self.windowBytes = windowBytes
    }

    /// A source over bytes in memory.
    init(bytes: [UInt8], name: String) {
        self.name = name
        storage = .memory(bytes)
        blockBytes = 0
        windowBytes = 0
    }

    /// Calls `body(line, start, end, number)` for each non-empty line in order, until it returns false: `line`
    /// is without its newline and without the `\r` of a `\r\n` (so a CRLF file is archived as LF lines, and a line
    /// of a `\r`, spaces or tabs alone is blank, as the reader takes them), `start..<end` where those bytes are, and `number` the
    /// line's 1-based number among all lines, blank ones too (`grep -n`'s). `line` is only valid during the call.
    func forEachLine(_ body: (UnsafeBufferPointer<UInt8>, Int, Int, Int) throws(OutputError) -> Bool)
        throws(OutputError)
    {
        var number = 0
        switch storage {
        case .memory(let bytes):
            try bytes.withUnsafeBufferPointer { p throws(OutputError) in
                _ = try Self.lines(in: p, base: 0, final: true, number: &number, body)
            }
        case .file(let fd):
            var buffer: [UInt8] = []
            var base = 0
            var atEnd = false
            while !atEnd {
                let kept = buffer.count
                let want = max(blockBytes, kept)
                buffer.append(contentsOf: repeatElement(0, count: want))
                let n = try read(fd, into: &buffer, at: kept, count: want, offset: base + kept)
                buffer.removeLast(want - n)
                atEnd = n == 0
                let (used, more) = try buffer.withUnsafeBufferPointer { p throws(OutputError) in
                    try Self.lines(in: p, base: base, final: atEnd, number: &number, body)
                }
                if !more { return }
                buffer.removeFirst(used)
                base += used
            }
        }
    }

    /// The 1-based number of the line that starts at byte `offset` (newlines before it, plus one), for a message.
    func lineNumber(at offset: Int) -> Int {
        var newlines = 0
        switch storage {
        case .memory(let bytes):
            newlines = bytes[..<min(offset, bytes.count)].reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
        case .file(let fd):
            var block = [UInt8](repeating: 0, count: 1 << 20)
            var at = 0
            while at < offset {
                let want = min(block.count, offset - at)
                let n = block.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(at)) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                for i in 0..<n where block[i] == 10 { newlines += 1 }
                at += n
            }
        }
        return newlines + 1
    }

    /// Appends the source's bytes `start..<end` to `out`.
    func append(_ start: Int, _ end: Int, to out: inout [UInt8]) throws(OutputError) {
        switch storage {
        case .memory(let bytes):
            out.append(contentsOf: bytes[start..<end])
        case .file(let fd):
            let windowEnd = windowStart + window.count
            if start >= windowStart && end <= windowEnd {
                out.append(contentsOf: window[(start - windowStart)..<(end - windowStart)])
                misses = 0
                return
            }
            // Lines come in file order give or take a few hundred KiB (a live file is written as events close,
            // the archive is sorted by start): read one or two lines outside the window on their own (a long
            // event written late), and move the window when the order has moved on.
            misses += 1
            if misses > 2 || window.isEmpty {
                misses = 0
                let from = max(0, start - windowBytes / 4)
                window.removeAll(keepingCapacity: true)
                window.append(contentsOf: repeatElement(0, count: windowBytes))
                let n = try read(fd, into: &window, at: 0, count: windowBytes, offset: from)
                window.removeLast(windowBytes - n)
                windowStart = from
                if end <= from + n {
                    out.append(contentsOf: window[(start - from)..<(end - from)])
                    return
                }
            }
            let old = out.count
            out.append(contentsOf: repeatElement(0, count: end - start))
            let n = try read(fd, into: &out, at: old, count: end - start, offset: start)
            guard n == end - start else {
                throw OutputError(
                    path: name, message: "the file shrank while it was archived (byte \(start + n) of \(end))")
            }
        }
    }

    /// Scans the complete lines of `p` (and the last, unterminated one when `final`): returns how many bytes
    /// they took and whether `body` wants more.
    private static func lines(
        in p: UnsafeBufferPointer<UInt8>, base: Int, final: Bool, number: inout Int,
        _ body: (UnsafeBufferPointer<UInt8>, Int, Int, Int) throws(OutputError) -> Bool
    ) throws(OutputError) -> (Int, Bool) {
        guard let start = p.baseAddress else { return (0, true) }
        var lineStart = 0
        while lineStart < p.count {
            let found = memchr(start + lineStart, 10, p.count - lineStart)
            let end: Int
            if let found {
                end = start.distance(to: found.assumingMemoryBound(to: UInt8.self))
            } else if final {
                end = p.count
            } else {
                break
            }
            number += 1
            let content = end > lineStart && p[end - 1] == 13 ? end - 1 : end
            // A line of spaces and tabs only is blank, as the reader takes it.
            if content > lineStart, p[lineStart] == 32 || p[lineStart] == 9,
                !p[lineStart..<content].contains(where: { $0 != 32 && $0 != 9 })
            {
                lineStart = end + 1
                continue
            }
            if content > lineStart {
                let line = UnsafeBufferPointer(rebasing: p[lineStart..<content])
                guard try body(line, base + lineStart, base + content, number) else { return (lineStart, false) }
            }
            lineStart = end + 1
        }
        return (min(lineStart, p.count), true)
    }

    /// Reads up to `count` bytes at `offset` into `buffer[at...]`; fewer only at the end of the file.
    private func read(_ fd: Int32, into buffer: inout [UInt8], at: Int, count: Int, offset: Int) throws(OutputError)
        -> Int
    {
        var done = 0
        while done < count {
            let n = buffer.withUnsafeMutableBytes {
                pread(fd, $0.baseAddress! + at + done, count - done, off_t(offset + done))
            }
            if n < 0 && errno == EINTR { continue }
            if n < 0 {
                throw OutputError(path: name, message: "cannot read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            done += n
        }
        return done
    }
}
