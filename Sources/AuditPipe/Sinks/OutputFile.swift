#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A buffered writer to a file or standard output, flushed in large writes.
public final class OutputFile {
    private let fd: Int32
    private let path: String
    private let owns: Bool
    private var buffer: [UInt8] = []
    private let flushThreshold: Int

    /// Creates the missing directories above `path` (`mkdir -p` of its parent); throws when one cannot be made.
    public static func makeParentDirectories(of path: String) throws(OutputError) {
        guard let slash = path.lastIndex(of: "/"), slash > path.startIndex else { return }
        try makeDirectory(String(path[..<slash]))
    }

    /// Creates `directory` and its missing parents (`mkdir -p`); throws with the reason when it cannot be made.
    public static func makeDirectory(_ directory: String) throws(OutputError) {
        let failure = ArchiveLayout.makeDirectories(directory)
        guard failure == 0 else {
            throw OutputError(
                path: directory, message: "cannot create the directory: \(String(cString: strerror(failure)))")
        }
    }

    /// Throws, with the reason, when the file `path` (or the folder, for `directory`) could not be written, or made
    /// with its missing folders; makes, opens and changes nothing. Every output is checked so before a run opens
    /// any: a run refused for one leaves the others as they were (opened first, they were emptied).
    public static func check(_ path: String, directory: Bool = false) throws(OutputError) {
        guard path != "-" else { return }
        guard !path.isEmpty else { throw OutputError(path: path, message: "the path is empty") }
        func failed(_ what: String, _ code: Int32) -> OutputError {
            OutputError(path: path, message: what + String(cString: strerror(code)))
        }
        var st = stat()
        if stat(path, &st) == 0 {
            let isDirectory = (st.st_mode & S_IFMT) == S_IFDIR
            if directory {
                guard isDirectory else { throw failed("", ENOTDIR) }
                guard access(path, W_OK | X_OK) == 0 else { throw failed("", errno) }
            } else if isDirectory {
                throw failed("", EISDIR)
            } else if (st.st_mode & S_IFMT) != S_IFIFO {
                // Opened without O_CREAT or O_TRUNC: what it holds stays until the run opens it.
                let fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC)
                guard fd >= 0 else { throw failed("", errno) }
                _ = Glibc.close(fd)
            }
            return
        }
        let missing = errno
        if missing != ENOENT && missing != ENOTDIR || lstat(path, &st) == 0 {
            // A link to nowhere, a loop, a name too long: the reason is the path's own.
            throw failed("", missing)
        }
        // Missing: made in the nearest folder above it that is there, which must be one the run can write in.
        var above = path
        while true {
            guard let slash = above.lastIndex(of: "/") else {
                above = "."
                break
            }
            above = slash == above.startIndex ? "/" : String(above[..<slash])
            if above == "/" || lstat(above, &st) == 0 { break }
        }
        guard stat(above, &st) == 0 else { throw failed("cannot create its folder: ", errno) }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { throw failed("cannot create its folder: ", ENOTDIR) }
        guard access(above, W_OK | X_OK) == 0 else { throw failed("cannot create it in \(above): ", errno) }
    }

    /// Takes over a descriptor already open for writing (closed by `close()`).
    init(descriptor: Int32, path: String, flushThreshold: Int = 256 << 10) {
        self.fd = descriptor
        self.path = path
        self.flushThreshold = flushThreshold
        owns = true
        buffer.reserveCapacity(flushThreshold + 4096)
    }

    /// Opens `path` for writing (truncating, or appending), or standard output for `-`.
    public init(path: String, append: Bool = false, flushThreshold: Int = 256 << 10) throws(OutputError) {
        self.path = path
        self.flushThreshold = flushThreshold
        if path == "-" {
            fd = 1
            owns = false
        } else {
            fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0o644)
            guard fd >= 0 else { throw OutputError(path: path, message: String(cString: strerror(errno))) }
            owns = true
        }
        buffer.reserveCapacity(flushThreshold + 4096)
    }

    /// Appends bytes, writing them out when the buffer is full.
    public func write(_ bytes: [UInt8]) throws(OutputError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= flushThreshold { try flush() }
    }

    /// Appends bytes read in place (a writer's), writing them out when the buffer is full. A chunk as large as
    /// the buffer (a sink's batch) is written from where it lies, after what is buffered, not copied first.
    public func write(_ bytes: UnsafeBufferPointer<UInt8>) throws(OutputError) {
        if bytes.count >= flushThreshold {
            try flush()
            try writeOut(UnsafeRawBufferPointer(bytes))
            return
        }
        buffer.append(contentsOf: bytes)
        if buffer.count >= flushThreshold { try flush() }
    }

    /// Writes out everything buffered.
    public func flush() throws(OutputError) {
        guard !buffer.isEmpty else { return }
        defer { buffer.removeAll(keepingCapacity: true) }
        let failure = buffer.withUnsafeBytes { p -> OutputError? in
            do throws(OutputError) { try writeOut(p) } catch { return error }
            return nil
        }
        if let failure { throw failure }
    }

    /// Writes `p` whole to the descriptor (retrying short writes and `EINTR`).
    private func writeOut(_ p: UnsafeRawBufferPointer) throws(OutputError) {
        var done = 0
        var failure: Int32 = 0
        while done < p.count {
            let n = Glibc.write(fd, p.baseAddress! + done, p.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                failure = errno
                break
            }
            done += n
        }
        if failure != 0 {
            throw OutputError(
                path: path, message: "write failed: \(String(cString: strerror(failure)))",
                isBrokenPipe: failure == EPIPE)
        }
    }

    /// Flushes and makes the written bytes durable (fsync); returns the file's length.
    @discardableResult
    public func sync() throws(OutputError) -> Int64 {
        try flush()
        guard owns else { return 0 }
        if fsync(fd) != 0 && errno != EINVAL && errno != EROFS {
            throw OutputError(path: path, message: "fsync failed: \(String(cString: strerror(errno)))")
        }
        var st = stat()
        return fstat(fd, &st) == 0 ? Int64(st.st_size) : 0
    }

    /// Flushes, makes the bytes durable and closes.
    public func close() throws(OutputError) {
        try flush()
        if owns {
            if fsync(fd) != 0 && errno != EINVAL && errno != EROFS {
                let e = errno
                _ = Glibc.close(fd)
                throw OutputError(path: path, message: "fsync failed: \(String(cString: strerror(e)))")
            }
            _ = Glibc.close(fd)
        }
    }
}
