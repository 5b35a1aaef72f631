#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The files a run writes (its outputs, a day directory's day files, an archive, its checkpoint), which its
/// inputs must not be: a directory or glob that reaches one leaves it out, or the run would read what it
/// writes (its own events again, as they grow, when followed). A file is the same by its resolved path or, when
/// it exists, by its device and inode (a hard link, standard input redirected from it).
public struct OutputPlaces: Sendable {
    /// Output files, resolved (`FollowedFiles.canonical`).
    private var files: Set<String> = []
    /// The device and inode of those that exist (and of standard output when it is a file), with the path each
    /// was named by (nil for standard output).
    private var identities: [FileKey: String?] = [:]
    /// Directories whose every file is the run's (an archive's), resolved, with a final `/`.
    private var directories: [String] = []
    /// `fnmatch` patterns of resolved paths: a templated output (`out/{service}/{date}.jsonl`, each placeholder
    /// a `*`), a day directory's day files, a checkpoint's files.
    private var patterns: [String] = []
    /// Two outputs that are one file, as given: the run is refused (each would overwrite the other).
    public private(set) var clash: (String, String)?

    private struct FileKey: Hashable, Sendable {
        var device: UInt64
        var inode: UInt64
    }

    /// No places: nothing is left out.
    public init() {}

    /// The places `outputs` and a checkpoint in `checkpointDirectory` write; standard output and devices are none.
    public init(outputs: [PipelineSpec.Output], checkpointDirectory: String?) {
        var named: [String: String] = [:]
        var byKey: [FileKey: String] = [:]
        for o in outputs {
            if o.path == "-" {
                // Standard output redirected to a file (`> dir/out.jsonl`): left out like `-o` that file.
                var st = stat()
                if fstat(1, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG {
                    identities[FileKey(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))] = .some(nil)
                }
            } else if o.kind == .archive {
                // The day directory holds the day files it writes (`events-YYYY-MM-DD.jsonl`) and whatever else
                // the user keeps there; the archive directory is the archive's alone.
                let day = "events-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9].jsonl"
                addPattern(in: o.path, names: [day, day + ".tmp"])
                // A day file there now is appended to: known by its inode too (a link to it is the same file).
                for name in Self.names(in: o.path) where fnmatch(day, name, 0) == 0 {
                    let path = o.path + "/" + name
                    if let key = Self.key(path) { identities[key] = path }
                }
                if let a = o.archiveDirectory { addDirectory(a) }
            } else if PathTemplate.isTemplate(o.path) {
                addTemplate(o.path)
            } else if !Self.isDevice(o.path) {
                let resolved = FollowedFiles.canonical(o.path)
                if let first = named[resolved], clash == nil { clash = (first, o.path) }
                named[resolved] = named[resolved] ?? o.path
                files.insert(resolved)
                if let key = Self.key(o.path) {
                    if let first = byKey[key], first != named[resolved], clash == nil { clash = (first, o.path) }
                    byKey[key] = byKey[key] ?? o.path
                    identities[key] = o.path
                }
            }
        }
        if let checkpointDirectory {
            addPattern(in: checkpointDirectory, names: ["checkpoint.json", "checkpoint.json.tmp", ArchiveLock.name])
        }
    }

    /// True when the run writes `path`.
    public func holds(_ path: String) -> Bool {
        if files.isEmpty && identities.isEmpty && directories.isEmpty && patterns.isEmpty { return false }
        let resolved = FollowedFiles.canonical(path)
        if files.contains(resolved) { return true }
        if let key = Self.key(path), identities[key] != nil { return true }
        if directories.contains(where: { resolved.hasPrefix($0) }) { return true }
        return patterns.contains { fnmatch($0, resolved, FNM_PATHNAME) == 0 }
    }

    /// True when the file open on descriptor `fd` (standard input) is one the run writes.
    public func holds(descriptor fd: Int32) -> Bool {
        var st = stat()
        guard !identities.isEmpty, fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return false }
        return identities[FileKey(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))] != nil
    }

    /// The output that the file at `path` is under another name (a hard link: the same device and inode, not
    /// the same resolved path), as it was named; nil when it is none. Such a file reached by a directory or glob
    /// is a log of the user's that the output would empty or write into, not the run's own output.
    public func otherName(of path: String) -> String? {
        guard !identities.isEmpty, let key = Self.key(path), case .some(.some(let output)) = identities[key] else {
            return nil
        }
        return FollowedFiles.canonical(path) == FollowedFiles.canonical(output) ? nil : output
    }

    /// The names of the entries of `directory` (none when it cannot be read).
    private static func names(in directory: String) -> [String] {
        guard let d = opendir(directory) else { return [] }
        defer { closedir(d) }
        var out: [String] = []
        while let entry = readdir(d) {
            out.append(
                withUnsafeBytes(of: entry.pointee.d_name) {
                    String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
                })
        }
        return out
    }

    /// The device and inode of the regular file at `path` (through links); nil when there is none.
    private static func key(_ path: String) -> FileKey? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return FileKey(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }

    /// True for a device or pipe (`/dev/null`, `/dev/stdout`): writing it changes no file a run reads.
    private static func isDevice(_ path: String) -> Bool {
        var st = stat()
        guard stat(path, &st) == 0 else { return false }
        let type = st.st_mode & S_IFMT
        return type == S_IFCHR || type == S_IFIFO || type == S_IFBLK
    }

    private mutating func addDirectory(_ path: String) {
        let resolved = FollowedFiles.canonical(path)
        directories.append(resolved.hasSuffix("/") ? resolved : resolved + "/")
    }

    /// Files named `names` (`fnmatch` patterns) directly in `directory`.
    private mutating func addPattern(in directory: String, names: [String]) {
        var folder = Self.escaped(FollowedFiles.canonical(directory))
        if !folder.hasSuffix("/") { folder += "/" }
        for name in names { patterns.append(folder + name) }
    }

    /// The template's folder before its first placeholder is resolved; the rest becomes a pattern, each
    /// `{field}` a `*` (a filled value is one path segment, never a `/`), `fnmatch`'s own characters escaped.
    private mutating func addTemplate(_ path: String) {
        guard let open = path.firstIndex(of: "{") else { return }
        let slash = path[..<open].lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) } ?? "."
        var rest = slash.map { path[path.index(after: $0)...] } ?? path[...]
        var pattern = Self.escaped(FollowedFiles.canonical(folder.isEmpty ? "/" : folder))
        if !pattern.hasSuffix("/") { pattern += "/" }
        while let c = rest.first {
            rest = rest.dropFirst()
            if c == "{" {
                rest = rest.drop { $0 != "}" }.dropFirst()
                pattern += "*"
            } else {
                pattern += Self.escaped(String(c))
            }
        }
        patterns.append(pattern)
    }

    /// `text` with `fnmatch`'s special characters escaped.
    private static func escaped(_ text: String) -> String {
        var out = ""
        for c in text {
            if "*?[\\".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }
}
