/// A day file's index rows read as a stream: one chunk of compressed bytes and the inflated lines of the gzip
/// members not yet handed on are in memory, never the whole day, so indexing a day of any size stays within a
/// few members' bytes (ParallelGzip's members are ~4 MiB; a file gzipped as one member is held whole).
///
/// A line's row names the member holding its first byte and the compressed length up to the end of the member
/// holding its last, so a row is handed on once that member has ended (`DayRowStreamTests` checks the rows are
/// those of the whole inflated day, wherever the members are cut).
struct DayRowStream {
    typealias FileDigest = GzipFileStream.FileDigest
    typealias Failure = GzipFileStream.Failure

    let day: String
    let path: String
    /// Bytes read from the file at a time.
    var readChunk = 1 << 20

    /// Reads the file, calling `body` with each non-blank line's row and bytes in line order (and `inflated` with
    /// the inflated bytes as they come, for a check of the whole content, and `memberEnded` with each member's
    /// bounds after its bytes); returns the file's size and hash. Throws `.input` when the gzip stream is damaged
    /// or truncated.
    func read(
        inflated: (UnsafeBufferPointer<UInt8>) -> Void = { _ in },
        memberEnded: (GzipMembers.Member) -> Void = { _ in },
        _ body: (IndexRow, UnsafeBufferPointer<UInt8>) throws(OutputError) -> Void
    ) throws(Failure) -> FileDigest {
        var lines = LineSplitter(day: day)
        let digest = try GzipFileStream(path: path, readChunk: readChunk).read { (event) throws(Failure) in
            switch event {
            case .bytes(let b):
                inflated(b)
                lines.append(b)
            case .memberEnded(let m):
                memberEnded(m)
                lines.memberEnded(m)
                try lines.handOn(body)
            }
        }
        try lines.finish(body)
        return digest
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

        mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) { pending.append(contentsOf: bytes) }

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
