#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Frames a byte source into batches of complete lines: LF or CRLF endings, a last line without a newline,
/// and lines over the cap kept as their first `maxLineBytes` bytes with their real length noted.
struct LineFramer {
    private var source: any ByteSource
    private let input: Int32
    private let maxLineBytes: Int
    private let batchBytes: Int
    private let readSize: Int
    private var carry: [UInt8] = []
    private var nextNumber: Int64
    private var nextOffset: Int64
    private var eof = false
    /// Bytes dropped from the line being read, when it is over the cap.
    private var oversizedDropped: Int64 = 0
    /// The last batch filled up to the batch size: the next one likely will, so its buffer is reserved whole
    /// (growing it read by read copied each batch about twice).
    private var lastWasFull = false
    /// A followed file has no end, only a stop: its unterminated last line is the start of a line still
    /// being written, kept for the next run (the resume point stays before it), never framed as a line.
    var keepsPartialAtEnd = false

    /// Total bytes framed so far.
    private(set) var bytesRead: Int64 = 0

    init(
        source: any ByteSource, input: Int32, maxLineBytes: Int, batchBytes: Int = 1 << 20, readSize: Int = 256 << 10,
        startLine: Int64 = 1, startOffset: Int64 = 0
    ) {
        nextNumber = startLine
        nextOffset = startOffset
        self.source = source
        self.input = input
        self.maxLineBytes = max(1, maxLineBytes)
        self.batchBytes = batchBytes
        self.readSize = readSize
    }

    /// The next batch, or nil at the end of input. A read error ends the input after the lines before it.
    mutating func nextBatch() throws(InputError) -> LineBatch? {
        if eof && carry.isEmpty { return nil }
        // A first batch grows with what the source has (a small file, a small buffer); after a full one, the
        // whole batch is reserved at once.
        var buf = carry
        carry = []
        if lastWasFull { buf.reserveCapacity(batchBytes + readSize) }
        var lines: [LineSpan] = []
        var paused = false
        var lineStart = 0
        var scanFrom = 0
        while true {
            frameLines(&buf, &lines, &lineStart, &scanFrom)
            if eof { break }
            if !lines.isEmpty && oversizedDropped == 0 && buf.count >= batchBytes { break }
            // A live stream with nothing more to read now: hand on what we have (maybe nothing) rather than
            // wait; the reader task sleeps without holding a thread and asks again.
            if source.wouldBlock() {
                paused = true
                break
            }
            let n: Int
            let before = buf.count
            do {
                n = try source.read(into: &buf, max: readSize)
            } catch {
                bytesRead += Int64(buf.count - before)
                eof = true
                source.close()
                carry = []
                // The bytes the failing read delivered (a gzip member inflated up to a bad check) are framed as
                // any others, not taken as one partial line; what follows the last newline is the last line.
                frameLines(&buf, &lines, &lineStart, &scanFrom)
                if !lines.isEmpty || lineStart < buf.count { finishPartial(&lines, &buf, lineStart) }
                pendingError = error
                return LineBatch(
                    input: input, index: 0, bytes: buf, lines: lines, endOffset: nextOffset, endLine: nextNumber)
            }
            bytesRead += Int64(n)
            if n == 0 && !source.endedAtEmptyRead() {
                // A followed file with nothing after all (it switched to a new, empty file): a pause, not an end.
                paused = true
                break
            }
            if n == 0 {
                eof = true
                // A run stopped mid-input read part of a line: it is not a line (it was dead-lettered as one).
                let stopped = source.stopped
                source.close()
                if keepsPartialAtEnd || stopped {
                    buf.removeSubrange(lineStart...)
                    oversizedDropped = 0
                } else {
                    finishPartial(&lines, &buf, lineStart)
                }
                lineStart = buf.count
                break
            }
            if n < readSize && !lines.isEmpty && oversizedDropped == 0 && Self.memchrNewline(buf, from: scanFrom) == nil
            {
                break
            }
        }
        // Judged before the partial last line is cut off: after the cut a full batch is a few bytes short of the
        // batch size about every other time, and the next batch then grew its buffer read by read (dump10k: 27
        // buffer growths copying 8.7M instructions' worth of bytes).
        lastWasFull = buf.count >= batchBytes
        if lineStart < buf.count {
            carry = Array(buf[lineStart...])
            buf.removeSubrange(lineStart...)
        }
        if lines.isEmpty && eof && carry.isEmpty { return nil }
        return LineBatch(
            input: input, index: 0, bytes: buf, lines: lines, endsAtPause: paused, endOffset: nextOffset,
            endLine: nextNumber)
    }

    /// True once the source ended (and was closed).
    var atEnd: Bool { eof }

    /// Closes the source before its end (a reader that has seen enough); a source at its end is closed already.
    mutating func close() {
        guard !eof else { return }
        eof = true
        source.close()
    }

    /// Gives the source's descriptor back, keeping its position (see `ByteSource.suspend()`).
    mutating func suspendSource() -> Bool { eof ? false : source.suspend() }

    /// When the source's last bytes were written (UTC nanoseconds), when it can tell.
    func sourceLastWritten() -> Int64? { source.lastWritten() }

    /// True while the source's descriptor is given back.
    var sourceIsSuspended: Bool { source.isSuspended }

    /// True when the source inflates what it reads (`ByteSource.inflates`).
    var sourceInflates: Bool { source.inflates }

    /// While suspended: true when the source may have something new to read.
    mutating func sourceMayHaveNews() -> Bool { source.mayHaveNews() }

    /// A read error met while framing the last batch; reported once the batch's lines are through.
    var pendingError: InputError?

    /// Frames every complete line in `buf[scanFrom...]`, then caps the partial line after them (its head kept, the
    /// rest dropped as it arrives).
    @inline(__always)
    private mutating func frameLines(
        _ buf: inout [UInt8], _ lines: inout [LineSpan], _ lineStart: inout Int, _ scanFrom: inout Int
    ) {
        while let nl = Self.memchrNewline(buf, from: scanFrom) {
            if oversizedDropped > 0 {
                let kept = lineStart + maxLineBytes
                oversizedDropped += Int64(nl - kept)
                buf.removeSubrange(kept..<nl)
                let nlNow = kept
                emit(&lines, buf, lineStart, nlNow, oversized: Int64(maxLineBytes) + oversizedDropped)
                nextOffset += Int64(maxLineBytes) + oversizedDropped + 1
                oversizedDropped = 0
                lineStart = nlNow + 1
                scanFrom = lineStart
            } else {
                let length = nl - lineStart
                if length > maxLineBytes {
                    buf.removeSubrange((lineStart + maxLineBytes)..<nl)
                    let nlNow = lineStart + maxLineBytes
                    emit(&lines, buf, lineStart, nlNow, oversized: Int64(length))
                    lineStart = nlNow + 1
                } else {
                    emit(&lines, buf, lineStart, nl, oversized: 0)
                    lineStart = nl + 1
                }
                nextOffset += Int64(length) + 1
                scanFrom = lineStart
            }
        }
        scanFrom = buf.count
        // A partial line over the cap: keep its head, drop the rest as it arrives.
        if buf.count - lineStart > maxLineBytes {
            oversizedDropped += Int64(buf.count - lineStart - maxLineBytes)
            buf.removeSubrange((lineStart + maxLineBytes)...)
            scanFrom = buf.count
        }
    }

    /// Emits the unterminated last line, if any.
    private mutating func finishPartial(_ lines: inout [LineSpan], _ buf: inout [UInt8], _ lineStart: Int) {
        guard lineStart < buf.count || oversizedDropped > 0 else { return }
        let length = Int64(buf.count - lineStart) + oversizedDropped
        emit(&lines, buf, lineStart, buf.count, oversized: oversizedDropped > 0 ? length : 0)
        nextOffset += length
        oversizedDropped = 0
    }

    private mutating func emit(_ lines: inout [LineSpan], _ buf: [UInt8], _ start: Int, _ end: Int, oversized: Int64) {
        var e = end
        if oversized == 0, e > start, buf[e - 1] == 13 { e -= 1 }
        lines.append(
            LineSpan(
                start: Int32(start), length: Int32(e - start), number: nextNumber, offset: nextOffset,
                oversizedLength: oversized))
        nextNumber += 1
    }

    @inline(__always)
    private static func memchrNewline(_ buf: [UInt8], from: Int) -> Int? {
        guard from < buf.count else { return nil }
        return buf.withUnsafeBufferPointer { p -> Int? in
            guard let hit = memchr(p.baseAddress! + from, 10, p.count - from) else { return nil }
            return p.baseAddress!.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
    }
}
