#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `ARCHIVE/.auditpipe.lock`: one archive run at a time per archive directory. The run holds an exclusive
/// `flock` on it (released when the process ends, however it ends) and writes its pid into it, so a run
/// that finds it held can say who holds it.
final class ArchiveLock {
    /// The lock file's name in the archive directory.
    static let name = ".auditpipe.lock"

    private let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit { close(fd) }

    /// Takes the lock of the archive under `root`, waiting up to `timeout` nanoseconds for a run that holds it.
    static func acquire(root: String, timeout: Int64) throws(ArchiveRunError) -> ArchiveLock {
        let path = root + "/" + name
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw .output(
                OutputError(path: path, message: "cannot open the lock file: \(String(cString: strerror(errno)))"))
        }
        let deadline = RunControl.now() + timeout
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let e = errno
                close(fd)
                throw .output(OutputError(path: path, message: "cannot lock: \(String(cString: strerror(e)))"))
            }
            if errno == EWOULDBLOCK && RunControl.now() >= deadline {
                let holder = holderPID(fd)
                close(fd)
                throw .locked(lockFile: path, holder: holder)
            }
            usleep(50_000)
        }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return ArchiveLock(fd: fd)
    }

    /// Waits for a shared hold on the archive's lock, so a reader (verify) does not see a run half-way; nil
    /// when the archive has no lock file (never archived here, or a read-only copy without one).
    static func shared(root: String) -> ArchiveLock? {
        let fd = open(root + "/" + name, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        while flock(fd, LOCK_SH) != 0 {
            if errno != EINTR {
                close(fd)
                return nil
            }
        }
        return ArchiveLock(fd: fd)
    }

    /// The pid the holder wrote, when it has written it yet.
    private static func holderPID(_ fd: Int32) -> Int32? {
        for attempt in 0..<5 {
            var buf = [UInt8](repeating: 0, count: 32)
            let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
            if n > 0, let pid = Int32(String(decoding: buf[..<n], as: UTF8.self).filter(\.isNumber)) { return pid }
            if attempt < 4 { usleep(20_000) }
        }
        return nil
    }
}

/// Why an archive run stopped.
public enum ArchiveRunError: Error, Sendable, CustomStringConvertible {
    /// Another run holds the archive directory's lock (exit 5).
    case locked(lockFile: String, holder: Int32?)
    /// An output could not be written (exit 3).
    case output(OutputError)
    /// The existing archive fails verification; the run changed nothing (exit 4).
    case unverified(ArchiveVerifier.Failure)

    /// The exit code the CLI ends with: 5 locked, 3 output failure.
    public var exitCode: Int32 {
        switch self {
        case .locked: 5
        case .output: 3
        case .unverified: 4
        }
    }

    public var description: String {
        switch self {
        case .locked(let path, let holder):
            "another archive run holds \(path) (pid \(holder.map(String.init) ?? "unknown"))"
        case .output(let e): e.description
        case .unverified(let f):
            "the archive fails verification, nothing was changed: \(f.path): \(f.reason)"
        }
    }
}
