#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How live writers and `archive` share a live day file, through `flock` on it: a writer holds a shared
/// lock while it has the file open (several writers may append to one live directory at once; each batch
/// is one `O_APPEND` write), `archive` an exclusive one. The writer waits for its lock and then checks that
/// the path still names the file it opened (archive may have rolled it away meanwhile; then it opens the
/// new one by path). Archive never waits: a day whose file a writer holds is left for the next run.
enum LiveFileLock {
    /// What archive found when it tried to take a live file.
    enum Take {
        /// The file, locked, open for reading; closing the descriptor releases the lock.
        case taken(Int32)
        /// A writer holds it.
        case busy
        /// It no longer exists.
        case missing
    }

    /// Opens `path` for appending (creating it) and waits for its lock; returns the locked descriptor of the
    /// file the path names now.
    static func openForAppend(_ path: String) throws(OutputError) -> Int32 {
        while true {
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                let why =
                    errno == ELOOP
                    ? "is a symbolic link; auditpipe does not follow links in the live directory"
                    : String(cString: strerror(errno))
                throw OutputError(path: path, message: why)
            }
            guard lock(fd, LOCK_SH) else {
                let e = errno
                close(fd)
                throw OutputError(path: path, message: "cannot lock: \(String(cString: strerror(e)))")
            }
            if namesSameFile(fd, path) { return fd }
            close(fd)
        }
    }

    /// Takes `path` for archiving without waiting.
    static func take(_ path: String) -> Take {
        while true {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return .missing }
            guard lock(fd, LOCK_EX | LOCK_NB) else {
                close(fd)
                return .busy
            }
            if namesSameFile(fd, path) { return .taken(fd) }
            close(fd)
        }
    }

    private static func lock(_ fd: Int32, _ operation: Int32) -> Bool {
        while flock(fd, operation) != 0 {
            if errno != EINTR { return false }
        }
        return true
    }

    /// True when `path` still names the open file `fd` (not removed or replaced since it was opened).
    private static func namesSameFile(_ fd: Int32, _ path: String) -> Bool {
        var open = stat()
        var named = stat()
        return fstat(fd, &open) == 0 && stat(path, &named) == 0 && open.st_dev == named.st_dev
            && open.st_ino == named.st_ino
    }
}
