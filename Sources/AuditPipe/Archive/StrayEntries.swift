#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What in an archive directory is not the archive's: `verify` names the first such entry `extra`. The archive
/// holds its head, pruned record, index and lock at the top, year and month directories, and in a month each
/// day's link `DD` to its version directory `DD.<hash>`. Before, only a day's own version directory was looked
/// in: a file beside the days, a copy of a day's file in a month, a month `13`, a version no day
/// links to, or a day made a plain directory passed (a new-user trial).
enum StrayEntries {
    /// Files an archive run or the index keeps at the top (SQLite's journal files included).
    static func topFiles() -> Set<String> {
        let index = ArchiveIndex.fileName
        return [
            "head.json", "pruned.json", ArchiveLock.name, index, index + "-journal", index + "-wal", index + "-shm",
        ]
    }

    /// The first entry under `root` that is not the archive's, with why; nil when there is none.
    static func first(in root: String) -> ArchiveVerifier.Failure? {
        let unfinished = "left by an archive run that did not finish (run archive again), or put there"
        for name in ArchiveLayout.entries(root) {
            let path = root + "/" + name
            if topFiles().contains(name) {
                // A directory (or a link to elsewhere) under a reserved name hid files, and broke the next run.
                guard isRegularFile(path) else {
                    return .init(path: path, reason: "extra: \(name) must be a plain file of the archive")
                }
                continue
            }
            if name.hasSuffix(".tmp"), topFiles().contains(String(name.dropLast(4))) {
                return .init(path: path, reason: "extra: a file \(unfinished)")
            }
            guard isNumber(name, digits: 4), isDirectory(path, followingLinks: false) else {
                return .init(
                    path: path,
                    reason:
                        "extra: not part of the archive (a year directory YYYY, head.json, pruned.json, \(ArchiveIndex.fileName))"
                )
            }
            for month in ArchiveLayout.entries(path) {
                let monthPath = path + "/" + month
                guard isNumber(month, digits: 2), (1...12).contains(Int(month) ?? 0),
                    isDirectory(monthPath, followingLinks: false)
                else {
                    return .init(path: monthPath, reason: "extra: not a month directory (01 to 12) of the archive")
                }
                if let failure = strayInMonth(monthPath, unfinished: unfinished) { return failure }
            }
        }
        return nil
    }

    /// A month holds day links `DD` and the version directories `DD.<hash>` they point to.
    private static func strayInMonth(_ dir: String, unfinished: String) -> ArchiveVerifier.Failure? {
        let names = ArchiveLayout.entries(dir)
        var linked = Set<String>()
        for name in names where isNumber(name, digits: 2) {
            let path = dir + "/" + name
            guard let target = DayDirectory.target(of: path) else {
                return .init(
                    path: path,
                    reason: "extra: a day must be a link to its version directory \(name).<hash>; this is not a link")
            }
            guard isVersion(target, of: name) else {
                return .init(path: path, reason: "extra: the day links to '\(target)', not to a version of its own")
            }
            // The version and its files are the archive's own, not links to copies kept elsewhere.
            let version = dir + "/" + target
            guard isDirectory(version, followingLinks: false) else {
                return .init(path: version, reason: "extra: a day's version must be a directory here, not a link")
            }
            for file in ArchiveLayout.entries(version) where !isRegularFile(version + "/" + file) {
                return .init(path: version + "/" + file, reason: "extra: not a plain file")
            }
            linked.insert(target)
        }
        for name in names where !isNumber(name, digits: 2) && !linked.contains(name) {
            let path = dir + "/" + name
            let parts = name.split(separator: ".", maxSplits: 1)
            if name.hasSuffix(".tmp") || (parts.count == 2 && isNumber(String(parts[0]), digits: 2)) {
                return .init(path: path, reason: "extra: no day links to it; \(unfinished)")
            }
            return .init(
                path: path,
                reason: "extra: not part of the archive (a month holds day links DD and their versions DD.<hash>)")
        }
        return nil
    }

    /// `DD.` and twelve lower-case hex digits (the start of its manifest's SHA-256), as an archive run names it.
    private static func isVersion(_ name: String, of day: String) -> Bool {
        let b = Array(name.utf8)
        guard b.count == 15, name.hasPrefix(day + ".") else { return false }
        return b[3...].allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    private static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    private static func isNumber(_ s: String, digits: Int) -> Bool {
        s.utf8.count == digits && s.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    private static func isDirectory(_ path: String, followingLinks: Bool) -> Bool {
        var st = stat()
        let r = followingLinks ? stat(path, &st) : lstat(path, &st)
        return r == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }
}
