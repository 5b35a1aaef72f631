#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Opens output files below a root directory without following a symbolic link anywhere below it: each
/// directory is opened with `openat` and `O_NOFOLLOW` from the one above (created when missing), and the
/// file itself with `O_NOFOLLOW`. A link planted inside the output root — `out/alice -> /etc` — can then
/// never carry a write out of it, whatever a templated path's values are.
enum ConfinedPath {
    /// The directory part of a templated path before its first placeholder (`out/{user}/x` → `out`).
    static func root(ofTemplate path: String) -> String {
        let fixed = path.prefix { $0 != "{" }
        guard let slash = fixed.lastIndex(of: "/") else { return "." }
        return slash == fixed.startIndex ? "/" : String(fixed[..<slash])
    }

    /// Opens `path` for appending (creating it and the directories below `root`); `path` must start with
    /// `root` (or be relative to `.` when the root is `.`).
    static func openForAppend(_ path: String, root: String) throws(OutputError) -> Int32 {
        var relative = Substring(path)
        if root != "." {
            guard path.hasPrefix(root + "/") else {
                throw OutputError(path: path, message: "is not below the output root '\(root)'")
            }
            relative = path.dropFirst(root.count + 1)
        }
        ArchiveLayout.makeDirectories(root)
        var dir = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0 else { throw OutputError(path: root, message: String(cString: strerror(errno))) }
        let parts = relative.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let name = parts.last else {
            close(dir)
            throw OutputError(path: path, message: "names a directory, not a file")
        }
        for part in parts.dropLast() {
            var next = openat(dir, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0 && errno == ENOENT {
                _ = mkdirat(dir, part, 0o755)
                next = openat(dir, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            let e = errno
            close(dir)
            guard next >= 0 else { throw refusal(path, part, e, root) }
            dir = next
        }
        let fd = openat(dir, name, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
        let e = errno
        close(dir)
        guard fd >= 0 else { throw refusal(path, name, e, root) }
        return fd
    }

    private static func refusal(_ path: String, _ part: String, _ e: Int32, _ root: String) -> OutputError {
        if e == ELOOP || e == ENOTDIR {
            return OutputError(
                path: path,
                message:
                    "'\(part)' is a symbolic link (or not a directory); auditpipe does not follow links below the output root '\(root)'"
            )
        }
        return OutputError(path: path, message: String(cString: strerror(e)))
    }
}
