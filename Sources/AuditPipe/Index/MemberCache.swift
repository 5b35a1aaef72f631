import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads archived lines by inflating only the gzip member(s) holding them, keeping the few most recently
/// inflated members (each ~4 MiB), so memory stays bounded whatever the archive's size.
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

    private let root: String
    private let capacity: Int
    private let state = Mutex(State())

    /// A cache over the archive under `root` keeping `capacity` inflated members.
    init(root: String, capacity: Int = 4) {
        self.root = root
        self.capacity = capacity
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
        do throws(InputError) {
            // Sized for a whole member up front (ParallelGzip's ~4 MiB), not grown by doubling.
            bytes = try GzipMembers.inflate(
                gz, name: path, expectedSize: min(gz.count * 16, 2 * ParallelGzip.chunkBytes + (1 << 16)))
        } catch {
            throw OutputError(
                path: path,
                message:
                    "\(error.message) in the gzip member at byte \(row.memberOffset): the archive or its index is damaged (run auditpipe verify)"
            )
        }
        state.withLock { s in
            s.entries.append((key, bytes))
            if s.entries.count > capacity { s.entries.removeFirst() }
        }
        return bytes
    }
}
