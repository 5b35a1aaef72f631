#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The files and directories a run writes (its outputs, an archive's directories, its checkpoint), which its
/// inputs must not be: a directory or glob that reaches one leaves it out, or the run would read what it
/// writes (its own events again, as they grow, when followed).
public struct OutputPlaces: Sendable {
    /// Output files, resolved (`FollowedFiles.canonical`).
    private var files: Set<String> = []
    /// Directories whose every file is the run's (an archive's, a checkpoint's), resolved, with a final `/`.
    private var directories: [String] = []
    /// Templated output paths (`out/{service}/{date}.jsonl`), resolved up to their first placeholder, each
    /// placeholder a `*` for `fnmatch`.
    private var patterns: [String] = []

    /// No places: nothing is left out.
    public init() {}

    /// The places `outputs` and a checkpoint in `checkpointDirectory` write; standard output is none.
    public init(outputs: [PipelineSpec.Output], checkpointDirectory: String?) {
        for o in outputs where o.path != "-" {
            if o.kind == .archive {
                addDirectory(o.path)
                if let a = o.archiveDirectory { addDirectory(a) }
            } else if PathTemplate.isTemplate(o.path) {
                addTemplate(o.path)
            } else if !Self.isDevice(o.path) {
                files.insert(FollowedFiles.canonical(o.path))
            }
        }
        if let checkpointDirectory { addDirectory(checkpointDirectory) }
    }

    /// True when the run writes `path`.
    public func holds(_ path: String) -> Bool {
        if files.isEmpty && directories.isEmpty && patterns.isEmpty { return false }
        let resolved = FollowedFiles.canonical(path)
        if files.contains(resolved) { return true }
        if directories.contains(where: { resolved.hasPrefix($0) }) { return true }
        return patterns.contains { fnmatch($0, resolved, FNM_PATHNAME) == 0 }
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

    /// The template's folder before its first placeholder is resolved; the rest becomes a pattern, each
    /// `{field}` a `*` (a filled value is one path segment, never a `/`), `fnmatch`'s own characters escaped.
    private mutating func addTemplate(_ path: String) {
        guard let open = path.firstIndex(of: "{") else { return }
        let slash = path[..<open].lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) } ?? "."
        var rest = slash.map { path[path.index(after: $0)...] } ?? path[...]
        var pattern = FollowedFiles.canonical(folder.isEmpty ? "/" : folder)
        if !pattern.hasSuffix("/") { pattern += "/" }
        while let c = rest.first {
            rest = rest.dropFirst()
            if c == "{" {
                rest = rest.drop { $0 != "}" }.dropFirst()
                pattern += "*"
            } else {
                if "*?[\\".contains(c) { pattern += "\\" }
                pattern.append(c)
            }
        }
        patterns.append(pattern)
    }
}
