#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Prepares a JSONL output a resumed `--follow` run appends to: cuts a last line left half-written by a
/// crash, and collects the `event_id`s written after the last checkpoint, which the run will produce again
/// and must skip.
public enum ResumedOutput {
    /// Event ids in `path` from byte `from` on; the file is truncated after its last complete line.
    public static func prepare(path: String, from: Int64) throws(OutputError) -> Set<String> {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return [] }
            throw OutputError(path: path, message: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw OutputError(path: path, message: String(cString: strerror(errno))) }
        let size = Int64(st.st_size)
        let start = min(max(0, from), size)
        var bytes = [UInt8](repeating: 0, count: Int(size - start))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes {
                pread(fd, $0.baseAddress! + done, $0.count - done, off_t(start) + off_t(done))
            }
            guard n > 0 else { break }
            done += n
        }
        bytes.removeLast(bytes.count - done)
        let complete = (bytes.lastIndex(of: 10).map { $0 + 1 }) ?? 0
        if complete < bytes.count, ftruncate(fd, off_t(start) + off_t(complete)) != 0 {
            throw OutputError(
                path: path, message: "cannot cut a half-written line: \(String(cString: strerror(errno)))")
        }
        var ids = Set<String>()
        let prefix = Array(#"{"event_id":""#.utf8)
        var lineStart = 0
        for i in 0..<complete where bytes[i] == 10 {
            let line = bytes[lineStart..<i]
            if line.starts(with: prefix), let end = line.dropFirst(prefix.count).firstIndex(of: UInt8(ascii: "\"")) {
                ids.insert(String(decoding: bytes[(lineStart + prefix.count)..<end], as: UTF8.self))
            }
            lineStart = i + 1
        }
        return ids
    }
}
