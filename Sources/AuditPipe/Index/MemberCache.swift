import Crypto
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads archived lines by inflating only the gzip member(s) holding them, keeping the few most recently
/// inflated members (each ~4 MiB), so memory stays bounded whatever the archive's size. Each member inflated is
/// checked against the SHA-256 of its inflated bytes the index took when it indexed the day (itself checked
/// against the day's manifest then): a day file changed since fails the read, rather than answering from it.
final class MemberCache: Sendable {
    /// A row's compressed span: where its first member starts and how far its members reach (a line that
    /// crosses a member boundary spans two or more, so two rows may start at one member and differ in length).
    private struct Key: Hashable {
        var day: String
        var offset: Int64
        var length: Int64
    }

    private struct State {
        var entries: [(key: Key, bytes: [UInt8])] = []
    }

    /// The SHA-256 (hex, of the inflated bytes) of the member of `day` at compressed `offset`, as indexed now
    /// (asked at each inflate, not kept: a day re-indexed meanwhile has other members).
    typealias Digests = @Sendable (_ day: String, _ offset: Int) throws(OutputError) -> String?

    private let root: String
    private let capacity: Int
    private let digests: Digests?
    private let state = Mutex(State())

    /// A cache over the archive under `root` keeping `capacity` inflated members, each checked against
    /// `digests` (nil: not checked, for a reader of rows it made itself).
    init(root: String, capacity: Int = 4, digests: Digests?) {
        self.root = root
        self.capacity = capacity
        self.digests = digests
    }

    /// The line of `row` (without its newline).
    func line(_ row: IndexRow) throws(OutputError) -> [UInt8] {
        let key = Key(day: row.day, offset: row.memberOffset, length: row.memberLength)
        let cached: [UInt8]? = state.withLock { s in
            guard let i = s.entries.firstIndex(where: { $0.key == key }) else { return nil }
            let e = s.entries.remove(at: i)
            s.entries.append(e)
            return e.bytes
        }
        let bytes: [UInt8]
        if let cached {
            bytes = cached
        } else {
            bytes = try inflate(row, key: key)
        }
        let start = Int(row.lineOffset)
        let end = start + Int(row.lineLength)
        guard start >= 0, end <= bytes.count else {
            throw OutputError(
                path: ArchiveLayout.archiveFile(root, day: row.day),
                message: "the index does not match the archive (run auditpipe index --rebuild)")
        }
        return Array(bytes[start..<end])
    }

    private func inflate(_ row: IndexRow, key: Key) throws(OutputError) -> [UInt8] {
        let path = ArchiveLayout.archiveFile(root, day: row.day)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw OutputError(path: path, message: "cannot read the archive: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var gz = [UInt8](repeating: 0, count: Int(row.memberLength))
        var done = 0
        while done < gz.count {
            let n = gz.withUnsafeMutableBytes {
                pread(fd, $0.baseAddress! + done, $0.count - done, off_t(row.memberOffset) + off_t(done))
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw OutputError(
                    path: path, message: "the index does not match the archive (run auditpipe index --rebuild)")
            }
            done += n
        }
        let bytes: [UInt8]
        var members: [GzipMembers.Member] = []
        do throws(InputError) {
            // Sized for a whole member up front (ParallelGzip's ~4 MiB), not grown by doubling.
            bytes = try GzipMembers.inflate(
                gz, name: path, expectedSize: min(gz.count * 16, 2 * ParallelGzip.chunkBytes + (1 << 16))
            ) { cStart, cEnd, uStart, uEnd in
                members.append(
                    GzipMembers.Member(
                        compressedOffset: cStart, compressedLength: cEnd - cStart, inflatedOffset: uStart,
                        inflatedLength: uEnd - uStart))
            }
        } catch {
            throw OutputError(
                path: path,
                message:
                    "\(error.message) in the gzip member at byte \(row.memberOffset): the archive or its index is damaged (run auditpipe verify)"
            )
        }
        if let digests {
            try check(members, of: bytes, at: row, path: path, digests)
        }
        state.withLock { s in
            s.entries.append((key, bytes))
            if s.entries.count > capacity { s.entries.removeFirst() }
        }
        return bytes
    }

    /// Each of `members` (inflated into `bytes` from the span of `row`) holds what was indexed at its offset.
    private func check(
        _ members: [GzipMembers.Member], of bytes: [UInt8], at row: IndexRow, path: String, _ digests: Digests
    ) throws(OutputError) {
        for m in members {
            let offset = Int(row.memberOffset) + m.compressedOffset
            let range = m.inflatedOffset..<m.inflatedOffset + m.inflatedLength
            let sha = bytes.withUnsafeBytes {
                ArchiveManifest.hex(SHA256.hash(data: UnsafeRawBufferPointer(rebasing: $0[range])))
            }
            guard try digests(row.day, offset) == sha else {
                throw OutputError(
                    path: path,
                    message:
                        "the gzip member at byte \(offset) does not hold what was indexed: the day file changed since (run auditpipe verify)"
                )
            }
        }
    }
}
