#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The files a rotation leaves beside a followed path under the path's rotated names (`app.log.1`,
/// `app.log-20261202`; compressed ones are not followed), with when each was last written: what a follower
/// that missed a rotation, or two, looks through to find what the path held meanwhile.
struct RotatedSiblings {
    /// One rotated file beside the path.
    struct Sibling {
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
        let base = String(path.split(separator: "/").last ?? "")
        var found: [Sibling] = []
        for candidate in FollowSource.siblings(of: path) {
            let name = candidate.split(separator: "/").last.map(String.init) ?? candidate
            guard name.hasPrefix(base + ".") || name.hasPrefix(base + "-"),
                ![".gz", ".bz2", ".xz", ".zst", ".zip"].contains(where: { name.hasSuffix($0) }),
                let m = modified(candidate), m > since,
                let id = FileIdentity.of(path: candidate), !known.contains(FollowProgress.FileKey(id))
            else { continue }
            found.append(Sibling(path: candidate, identity: id, modified: m))
        }
        return found.sorted { ($0.modified, $0.path) < ($1.modified, $1.path) }
    }

    /// When the file at `path` was last written, nanoseconds; nil when it is not there.
    static func modified(_ path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
    }
}
