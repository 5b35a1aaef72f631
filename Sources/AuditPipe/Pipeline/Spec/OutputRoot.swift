/// Keeps a pipeline's output paths inside its allowed root: paths are made absolute against the working
/// directory and `.`/`..` resolved lexically before the check (a symlink inside the root is trusted).
struct OutputRoot {
    /// The root, absolute and normalised.
    let path: String

    init(_ root: String, workingDirectory: String) {
        path = Self.normalize(root, against: workingDirectory)
    }

    /// The normalised path when it lies inside the root, else nil.
    func resolve(_ p: String, workingDirectory: String) -> String? {
        let full = Self.normalize(p, against: workingDirectory)
        return full == path || full.hasPrefix(path == "/" ? "/" : path + "/") ? full : nil
    }

    static func normalize(_ p: String, against cwd: String) -> String {
        let joined = p.hasPrefix("/") ? p : cwd + "/" + p
        var parts: [Substring] = []
        for seg in joined.split(separator: "/") {
            if seg == "." { continue }
            if seg == ".." {
                _ = parts.popLast()
                continue
            }
            parts.append(seg)
        }
        return "/" + parts.joined(separator: "/")
    }
}
