#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The files a rotation leaves beside a followed path under the path's rotated names (`RotatedName`:
/// `app.log.1`, `app.log-20261202`; not `app.log.bak`, nor compressed ones), with when each was last written: what a follower
/// that missed a rotation, or two, looks through to find what the path held meanwhile.
struct RotatedSiblings {
    /// One rotated file beside the path.
    struct Sibling: Sendable {
        var path: String
        var identity: FileIdentity
        /// Last modification, nanoseconds.
        var modified: Int64
    }

    /// The rotated files beside `path` written after `since` (nanoseconds), other than the files in `known`,
    /// oldest first.
    static func of(_ path: String, writtenAfter since: Int64, excluding known: Set<FollowProgress.FileKey>)
        -> [Sibling]
    {
        list(path, from: since).filter { $0.modified > since && !known.contains(FollowProgress.FileKey($0.identity)) }
    }

    /// The rotated files beside `path` that came after `anchor` (last written at `modified`), other than the
    /// files in `known`, oldest first. Files written in the same clock tick as the anchor (a burst of
    /// copy-truncates within a millisecond) are put in the order they were made, told by their names (`.2` before
    /// `.1`, `-…-1` before `-…-2`); when the anchor is gone, those written after it.
    static func after(
        _ anchor: FileIdentity, modified: Int64, of path: String, excluding known: Set<FollowProgress.FileKey>
    ) -> [Sibling] {
        let all = list(path, from: modified)
        let key = FollowProgress.FileKey(anchor)
        let later =
            all.firstIndex { FollowProgress.FileKey($0.identity) == key }.map { Array(all[($0 + 1)...]) }
            ?? all.filter { $0.modified > modified }
        return later.filter { !known.contains(FollowProgress.FileKey($0.identity)) }
    }

    /// The rotated files beside `path` written at or after `since`, in the order they were made: by time, then
    /// by name. A directory that has not changed since a second before `since` has none (no entry was made or
    /// renamed in it since): it is not listed, so 10,000 followed files do not each list the others.
    private static func list(_ path: String, from since: Int64) -> [Sibling] {
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[..<$0]) } ?? ""
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let directory = dir.isEmpty ? (slash == nil ? "." : "/") : dir
        guard let changed = modified(directory), changed >= since - 1_000_000_000 else { return [] }
        var found: [(order: (Int64, Int, Int, String, UInt64), sibling: Sibling)] = []
        for name in names(in: directory, startingWith: base) {
            let rest = String(name.dropFirst(base.utf8.count))
            guard RotatedName.isSuffix(rest[...]) else { continue }
            let candidate = slash == nil ? name : dir + "/" + name
            guard let m = modified(candidate), m >= since, let id = FileIdentity.of(path: candidate) else { continue }
            // Within one clock tick, by name as rotation tools name them: `.N` shifted up on each rotation (a
            // higher number is older: logrotate, logback, Python's handlers, Docker), other names (dateext) counted
            // on (a longer or later name is newer); then by inode number.
            let numbered = rest.first == "." && rest.count > 1 && rest.dropFirst().allSatisfy(\.isNumber)
            let order =
                numbered ? (m, 0, -(Int(rest.dropFirst()) ?? 0), "", id.inode) : (m, 1, rest.count, rest, id.inode)
            found.append((order, Sibling(path: candidate, identity: id, modified: m)))
        }
        return found.sorted { $0.order < $1.order }.map(\.sibling)
    }

    /// Names of the regular files in `directory` that start with `prefix` and are longer than it (compared on
    /// the entry's bytes, so a large directory costs no string per entry).
    private static func names(in directory: String, startingWith prefix: String) -> [String] {
        guard let d = opendir(directory) else { return [] }
        defer { closedir(d) }
        let want = Array(prefix.utf8)
        var out: [String] = []
        while let entry = readdir(d) {
            guard entry.pointee.d_type == DT_REG || entry.pointee.d_type == DT_UNKNOWN else { continue }
            let name: String? = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                let bytes = raw.prefix(while: { $0 != 0 })
                guard bytes.count > want.count, bytes.starts(with: want) else { return nil }
                return String(decoding: bytes, as: UTF8.self)
            }
            if let name { out.append(name) }
        }
        return out
    }

    /// When the file at `path` was last written, nanoseconds; nil when it is not there.
    static func modified(_ path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
    }
}
