#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Prepares an output a resumed `--follow` run appends to: what was written after the last checkpoint is
/// cut away (the resumed run writes it again from the same state), so every event and dead letter is in the
/// file once.
public enum ResumedOutput {
    /// The length of `path`, 0 when it does not exist.
    public static func length(of path: String) -> Int64 {
        var st = stat()
        return stat(path, &st) == 0 ? Int64(st.st_size) : 0
    }

    /// Cuts `path` back to `length` bytes (and fsyncs it); a missing or shorter file is left as it is.
    public static func cut(path: String, to length: Int64) throws(OutputError) {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return }
            throw OutputError(path: path, message: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw OutputError(path: path, message: String(cString: strerror(errno))) }
        guard Int64(st.st_size) > length else { return }
        guard ftruncate(fd, off_t(length)) == 0, fsync(fd) == 0 else {
            throw OutputError(
                path: path, message: "cannot cut back to the checkpoint: \(String(cString: strerror(errno)))")
        }
    }
}
