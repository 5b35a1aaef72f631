#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A day's directory `archive/YYYY/MM/DD` is a symlink to a version directory `DD.<hash>`: a new version of
/// the day (merged archive and its manifest) is written complete into its own directory and the link is
/// switched with one rename, so a crash leaves the old day or the new one, never a mix of the two.
enum DayDirectory {
    /// Where the day's new gzip file is written before its version directory exists (the directory is named
    /// after the manifest, which needs the file's hash): a `.tmp` file beside the day's link.
    static func stagingFile(root: String, day: String) -> String {
        let (parent, dd) = split(ArchiveLayout.dayDirectory(root, day: day))
        ArchiveLayout.makeDirectories(parent)
        return "\(parent)/\(dd).events.tmp"
    }

    /// Makes the day's new version — the fsynced gzip file at `staged` moved in, then the manifest — and
    /// switches the day to it; the old version is removed after.
    static func publish(root: String, day: String, staged: String, manifest: [UInt8]) throws(OutputError) {
        let link = ArchiveLayout.dayDirectory(root, day: day)
        let (parent, dd) = split(link)
        ArchiveLayout.makeDirectories(parent)
        let version = "\(dd).\(ArchiveManifest.sha256(manifest).prefix(12))"
        let versionDirectory = parent + "/" + version
        mkdir(versionDirectory, 0o755)
        let gzPath = "\(versionDirectory)/events-\(day).jsonl.gz"
        guard rename(staged, gzPath) == 0 else {
            throw OutputError(path: gzPath, message: "rename failed: \(String(cString: strerror(errno)))")
        }
        AtomicFile.syncDirectory(versionDirectory)
        AtomicFile.syncDirectory(parent)
        CrashPoint.reached("archive written")
        try AtomicFile.write(manifest, to: "\(versionDirectory)/manifest.json")
        CrashPoint.reached("manifest written")
        let old = target(of: link)
        let temporaryLink = "\(parent)/\(dd).link.tmp"
        unlink(temporaryLink)
        guard symlink(version, temporaryLink) == 0, rename(temporaryLink, link) == 0 else {
            throw OutputError(path: link, message: "cannot switch the day: \(String(cString: strerror(errno)))")
        }
        AtomicFile.syncDirectory(parent)
        CrashPoint.reached("day switched")
        if let old, old != version { removeTree(parent + "/" + old) }
    }

    /// Deletes a day: its link, then the version it pointed to.
    static func remove(root: String, day: String) {
        let link = ArchiveLayout.dayDirectory(root, day: day)
        let (parent, _) = split(link)
        let old = target(of: link)
        unlink(link)
        AtomicFile.syncDirectory(parent)
        if let old { removeTree(parent + "/" + old) }
    }

    /// Removes version directories no day links to, half-made links and staged files (left by a crash).
    static func removeOrphans(root: String) {
        for y in ArchiveLayout.entries(root) where y.utf8.count == 4 {
            for m in ArchiveLayout.entries("\(root)/\(y)") where m.utf8.count == 2 {
                let month = "\(root)/\(y)/\(m)"
                let names = ArchiveLayout.entries(month)
                let live = Set(names.filter { $0.utf8.count == 2 }.compactMap { target(of: "\(month)/\($0)") })
                for name in names where name.utf8.count > 2 && !live.contains(name) {
                    if name.hasSuffix(".tmp") {
                        unlink("\(month)/\(name)")
                    } else {
                        removeTree("\(month)/\(name)")
                    }
                }
            }
        }
    }

    /// Where a day link points (a name in the same directory), or nil when it is not a link.
    static func target(of link: String) -> String? {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink(link, &buf, buf.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func removeTree(_ dir: String) {
        for name in ArchiveLayout.entries(dir) { unlink(dir + "/" + name) }
        rmdir(dir)
    }

    private static func split(_ path: String) -> (String, String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return (parts.dropLast().joined(separator: "/"), String(parts.last ?? ""))
    }
}
