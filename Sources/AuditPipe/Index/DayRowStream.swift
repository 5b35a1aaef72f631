import CZlib
import Crypto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A day file's index rows read as a stream: one chunk of compressed bytes and the inflated lines of the gzip
/// members not yet handed on are in memory, never the whole day, so indexing a day of any size stays within a
/// few members' bytes (ParallelGzip's members are ~4 MiB; a file gzipped as one member is held whole).
///
/// A line's row names the member holding its first byte and the compressed length up to the end of the member
/// holding its last, so a row is handed on once that member has ended (`DayRowStreamTests` checks the rows are
/// those of the whole inflated day, wherever the members are cut).
struct DayRowStream {
    /// The compressed file read: its size and SHA-256 (hex), to check against the day's manifest.
    struct FileDigest: Equatable {
        var bytes: Int64
        var sha256: String
    }

    /// Why a day could not be streamed: its gzip bytes (`input`), or reading the file or handing on a row
    /// (`output`).
    enum Failure: Error {
        case input(InputError)
        case output(OutputError)
    }

    let day: String
    let path: String
    /// Bytes read from the file at a time.
    var readChunk = 1 << 20

    /// Reads the file, calling `body` with each non-blank line's row and bytes in line order; returns the file's
    /// size and hash. Throws `.input` when the gzip stream is damaged or truncated.
    func read(_ body: (IndexRow, UnsafeBufferPointer<UInt8>) throws(OutputError) -> Void)
        throws(Failure) -> FileDigest
    {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw .output(OutputError(path: path, message: "cannot read: \(String(cString: strerror(errno)))"))
        }
        defer { close(fd) }
        var hasher = SHA256()
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer {
            inflateEnd(stream)
            stream.deallocate()
        }
        guard inflateInit2_(stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .input(InputError(source: path, message: "zlib inflateInit failed"))
        }
        var lines = LineSplitter(day: day)
        var input = [UInt8](repeating: 0, count: readChunk)
        var output = [UInt8](repeating: 0, count: 1 << 18)
        var inputCount = 0
        var inputUsed = 0
        var inputBase = 0  // compressed offset of input[0]
        var produced = 0  // inflated bytes so far
        var memberStart = (compressed: 0, inflated: 0)
        var atEnd = false
        while true {
            if inputUsed == inputCount && !atEnd {
                inputBase += inputCount
                let n = try readSome(fd, into: &input)
                input.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                (inputCount, inputUsed) = (n, 0)
                if n == 0 { atEnd = true }
            }
            if inputCount == inputUsed && atEnd {
                // The file ends: either between members (or empty), or inside one.
                guard inputBase == memberStart.compressed else {
                    throw .input(
                        InputError(
                            source: path,
                            message: "truncated: the gzip stream ends at byte \(inputBase) before its end"))
                }
                try lines.finish(body)
                return FileDigest(bytes: Int64(inputBase), sha256: ArchiveManifest.hex(hasher.finalize()))
            }
            var rc: Int32 = Z_OK
            let before = produced
            input.withUnsafeMutableBufferPointer { inBuf in
                output.withUnsafeMutableBufferPointer { outBuf in
                    stream.pointee.next_in = inBuf.baseAddress! + inputUsed
                    stream.pointee.avail_in = UInt32(inputCount - inputUsed)
                    stream.pointee.next_out = outBuf.baseAddress!
                    stream.pointee.avail_out = UInt32(outBuf.count)
                    rc = CZlib.inflate(stream, Z_NO_FLUSH)
                    inputUsed = inputCount - Int(stream.pointee.avail_in)
                    produced += outBuf.count - Int(stream.pointee.avail_out)
                }
            }
            lines.append(output, count: produced - before)
            switch rc {
            case Z_STREAM_END:
                let end = inputBase + inputUsed
                lines.memberEnded(
                    GzipMembers.Member(
                        compressedOffset: memberStart.compressed, compressedLength: end - memberStart.compressed,
                        inflatedOffset: memberStart.inflated, inflatedLength: produced - memberStart.inflated))
                memberStart = (end, produced)
                try lines.handOn(body)
                inflateReset(stream)
            case Z_OK, Z_BUF_ERROR:
                continue
            default:
                let msg = stream.pointee.msg.map { String(cString: $0) } ?? "error \(rc)"
                throw .input(InputError(source: path, message: "\(msg) at compressed byte \(inputBase + inputUsed)"))
            }
        }
    }

    /// Reads up to a chunk (retrying EINTR).
    private func readSome(_ fd: Int32, into buffer: inout [UInt8]) throws(Failure) -> Int {
        while true {
            let n = buffer.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress!, $0.count) }
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw .output(OutputError(path: path, message: "cannot read: \(String(cString: strerror(errno)))"))
        }
    }

    /// The inflated bytes not yet handed on as lines, and the ended members they lie in.
    private struct LineSplitter {
        let day: String
        /// Inflated bytes from `base` on.
        var pending: [UInt8] = []
        var base = 0
        /// Where the newline search goes on (an index into `pending`).
        var searched = 0
        /// Ended members that hold bytes from `base` on.
        var members: [GzipMembers.Member] = []
        var line: Int64 = 0

        init(day: String) { self.day = day }

        mutating func append(_ bytes: [UInt8], count: Int) {
            guard count > 0 else { return }
            bytes.withUnsafeBufferPointer { pending.append(contentsOf: UnsafeBufferPointer(rebasing: $0[0..<count])) }
        }

        mutating func memberEnded(_ member: GzipMembers.Member) { members.append(member) }

        /// Hands on every line whose newline has been inflated (all inflated bytes lie in ended members here).
        mutating func handOn(_ body: (IndexRow, UnsafeBufferPointer<UInt8>) throws(OutputError) -> Void)
            throws(Failure)
        {
            var start = 0
            var line = self.line
            let (day, base, members, from) = (self.day, self.base, self.members, searched)
            let failure: OutputError? = pending.withUnsafeBufferPointer { p in
                for i in from..<p.count where p[i] == 10 {
                    if i > start {
                        do throws(OutputError) {
                            try Self.emit(p, start, i, base: base, members: members, day: day, line: &line, body)
                        } catch {
                            return error
                        }
                    }
                    start = i + 1
                }
                return nil
            }
            self.line = line
            if let failure { throw .output(failure) }
            searched = pending.count - start
            drop(start)
        }

        /// Hands on the last line when the file does not end with a newline.
        mutating func finish(_ body: (IndexRow, UnsafeBufferPointer<UInt8>) throws(OutputError) -> Void)
            throws(Failure)
        {
            try handOn(body)
            guard !pending.isEmpty, !members.isEmpty else { return }
            var line = self.line
            let (day, base, members) = (self.day, self.base, self.members)
            let failure: OutputError? = pending.withUnsafeBufferPointer { p in
                do throws(OutputError) {
                    try Self.emit(p, 0, p.count, base: base, members: members, day: day, line: &line, body)
                } catch {
                    return error
                }
                return nil
            }
            self.line = line
            if let failure { throw .output(failure) }
        }

        /// The row of p[start..<end] (inflated offset `base` + start), in the members holding it.
        private static func emit(
            _ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, base: Int, members: [GzipMembers.Member],
            day: String, line: inout Int64, _ body: (IndexRow, UnsafeBufferPointer<UInt8>) throws(OutputError) -> Void
        ) throws(OutputError) {
            let (s, e) = (base + start, base + end)
            var m = 0
            while m + 1 < members.count, members[m].inflatedOffset + members[m].inflatedLength <= s { m += 1 }
            var last = m
            while last + 1 < members.count, members[last].inflatedOffset + members[last].inflatedLength < e {
                last += 1
            }
            let first = members[m]
            let length = members[last].compressedOffset + members[last].compressedLength - first.compressedOffset
            let bytes = UnsafeBufferPointer(rebasing: p[start..<end])
            let row = IndexRow(
                line: bytes, day: day, line: line, member: first, memberLength: length,
                lineOffset: s - first.inflatedOffset)
            line += 1
            try body(row, bytes)
        }

        /// Forgets the first `count` pending bytes and the members wholly before them.
        private mutating func drop(_ count: Int) {
            guard count > 0 else { return }
            pending.removeFirst(count)
            base += count
            // Members wholly before `base` hold no line still to come.
            members.removeFirst(members.firstIndex { $0.inflatedOffset + $0.inflatedLength > base } ?? members.count)
        }
    }
}

/// `read(2)`, named apart from `DayRowStream.read`.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, buffer, count) }
