#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The names a rotation gives a followed path's files beside it: the path, `.` or `-`, then digits and
/// separators only (`app.log.1`, `app.log-20261205`, `app.log-2026-12-05`). `app.log.bak`, `app.log-worker` and
/// `app.log.1.gz` are files of their own (compressed rotations are not followed). One rule for every look a
/// follower takes beside a path: what discovery passes over as a copy, and where a reader looks for what a
/// rotation took away.
enum RotatedName {
    /// True when `rest`, what follows the path in a name beside it, makes a rotated name (`.1`, `-20261205`).
    static func isSuffix(_ rest: Substring) -> Bool {
        guard let mark = rest.first, mark == "." || mark == "-" else { return false }
        let digits = rest.dropFirst()
        guard let first = digits.first, first.isASCII, first.isNumber else { return false }
        return digits.allSatisfy { $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-" || $0 == "_") }
    }

    /// The path of `paths` that `path` is a rotated name of (`app.log` for `app.log.1`), if any.
    static func base(of path: String, among paths: Set<String>) -> String? {
        let nameStart = path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex
        guard nameStart < path.endIndex else { return nil }
        var i = path.index(after: nameStart)
        while i < path.endIndex {
            if path[i] == "." || path[i] == "-", isSuffix(path[i...]), paths.contains(String(path[..<i])) {
                return String(path[..<i])
            }
            i = path.index(after: i)
        }
        return nil
    }

    /// `paths` and, for each one that is a symbolic link to a file in its own folder (`logs/current` to
    /// `app.log`), that file's path in the same form (`logs/app.log`): the file's rotated names and copies
    /// (`logs/app.log.1`) are the link's, read by the link's input.
    static func withLinkTargets(_ paths: Set<String>) -> Set<String> {
        var out = paths
        var st = stat()
        var buffer = [CChar](repeating: 0, count: 256)
        for path in paths where lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK {
            let n = readlink(path, &buffer, buffer.count - 1)
            guard n > 0 else { continue }
            let target = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard !target.contains("/") else { continue }
            out.insert(path.lastIndex(of: "/").map { String(path[...$0]) + target } ?? target)
        }
        return out
    }

    /// True when `path` is a rotated name of one of `paths`.
    static func isRotated(_ path: String, of paths: Set<String>) -> Bool {
        base(of: path, among: paths) != nil
    }
}
