import Crypto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A day's new gzip file written member by member as the members come, into a temp file beside the day,
/// then fsynced; it keeps the SHA-256 and length of the bytes handed to it (the verified members), which
/// the file read back must match.
final class StagedFile {
    /// Where it is written (a `.tmp` name, removed by the next run if this one dies).
    let path: String
    private var fd: Int32
    private var hasher = SHA256()
    /// Bytes written so far.
    private(set) var count: Int64 = 0

    /// Creates (or empties) the file at `path`.
    init(path: String) throws(OutputError) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputError(path: path, message: String(cString: strerror(errno))) }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Appends `bytes` and adds them to the hash.
    func append(_ bytes: [UInt8]) throws(OutputError) {
        hasher.update(data: bytes)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw OutputError(path: path, message: "write failed: \(String(cString: strerror(errno)))")
            }
            done += n
        }
        count += Int64(bytes.count)
    }

    /// fsyncs and closes the file; returns the hex SHA-256 of everything appended.
    func finish() throws(OutputError) -> String {
        let ok = fsync(fd) == 0
        let e = errno
        close(fd)
        fd = -1
        guard ok else { throw OutputError(path: path, message: "fsync failed: \(String(cString: strerror(e)))") }
        return ArchiveManifest.hex(hasher.finalize())
    }

    /// The hex SHA-256 and length of the file at `path`, read in blocks (never held whole); nil when it
    /// cannot be read.
    static func sha256(of path: String, limit: Int64 = .max) -> (sha: String, bytes: Int64)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var hasher = SHA256()
        var block = [UInt8](repeating: 0, count: 1 << 20)
        var total: Int64 = 0
        while true {
            let want = Int(min(Int64(block.count), limit - total))
            if want == 0 { break }
            let n = block.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, want) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return nil }
            if n == 0 { break }
            block.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            total += Int64(n)
        }
        return (ArchiveManifest.hex(hasher.finalize()), total)
    }
}
