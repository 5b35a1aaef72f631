#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The file side of `--follow`: which paths the patterns name now, and where each one is resumed from a
/// checkpoint (by the identity it had, found again under another name after a rotation or a rename).
struct FollowedFiles: Sendable {
    /// Paths, directories and glob patterns to follow.
    let patterns: [String]
    /// What the run writes: a directory or pattern that reaches it leaves it out.
    var excluding = OutputPlaces()

    init(patterns: [String], excluding: OutputPlaces = OutputPlaces()) {
        self.patterns = patterns
        self.excluding = excluding
    }

    /// Plain paths (followed even before they exist), directory contents and glob matches, sorted.
    /// A path that resolves to one named before it (`./app.log` beside `app.log`, a file beside its directory,
    /// a link) is left out: its file is followed once. So is a compressed file (`compressed()`).
    func paths() -> [String] { split().plain }

    /// The compressed files (`app.log.2.gz`) the patterns name: not followed. A follower cannot read one as it is
    /// written, and its lines are a plain file's, read before a rotation compressed it. Followed, its bytes were
    /// dead letters, and each new one (`compress` at every rotation) held the merge back for `--idle` as a file
    /// still being written, long enough for a reader waiting on the merge to miss whole generations (a trial with
    /// `delaycompress`: 177 of 413 lines lost, no kill).
    func compressed() -> [String] { split().compressed }

    /// True for a compressed file's name (see `compressed()`).
    static func isCompressed(_ path: String) -> Bool {
        [".gz", ".bz2", ".xz", ".zst", ".lz4", ".Z"].contains { path.hasSuffix($0) }
    }

    private func split() -> (plain: [String], compressed: [String]) {
        var out: [String] = []
        var compressed: [String] = []
        var resolved = Set<String>()
        func add(_ path: String) {
            guard resolved.insert(Self.canonical(path)).inserted else { return }
            if Self.isCompressed(path) {
                compressed.append(path)
            } else {
                out.append(path)
            }
        }
        for p in patterns {
            if p.contains(where: { "*?[".contains($0) }) || Self.isDirectory(p) {
                for path in InputSpec.expand([p], excluding: excluding).inputs.map(\.path) { add(path) }
            } else {
                add(p)
            }
        }
        return (out, compressed)
    }

    /// The directories whose new files can match: each pattern's own directory (a followed directory, or the
    /// folder of a path or of a glob whose folder part has no wildcard).
    func directories() -> [String] {
        var out: [String] = []
        for p in patterns {
            if Self.isDirectory(p) {
                out.append(p)
                continue
            }
            let dir = p.lastIndex(of: "/").map { String(p[..<$0]) } ?? "."
            if !dir.contains(where: { "*?[".contains($0) }) { out.append(dir.isEmpty ? "/" : dir) }
        }
        return out
    }

    /// Pins the identity of every file there now into `checkpoint`, so a crash before the first commit still
    /// finds a file that is rotated away meanwhile; a file the checkpoint knows under another name (by device
    /// and inode) takes over that entry. A new path whose file was read under another name (`files`, which
    /// learns the checkpoint's files here) gets no entry: it is not read. `savedAt` is when the checkpoint was last
    /// saved (its file's modification time), if it was.
    func pin(into checkpoint: inout Checkpoint, files: FollowProgress = FollowProgress(), savedAt: Int64? = nil) {
        files.remember(checkpoint)
        let since = checkpoint.followingSince
        if since == nil { checkpoint.followingSince = UTCTime.now() }
        let current = paths()
        let currentNames = Set(current)
        // With the paths the checkpoint names: one renamed away and not made again yet is still followed.
        let rotating = RotatedName.withLinkTargets(currentNames.union(checkpoint.entries.keys))
        for path in current {
            // Known empty from before its identity is read: a copy-truncate between the two (a stopped or loaded
            // process) is a copy made since, looked for and read first.
            let looked = UTCTime.now()
            guard let identity = FileIdentity.of(path: path) else { continue }
            if var e = checkpoint.entries[path] {
                // The path names a new file since the commit (rotated while we were down, or before the reader
                // got to it): note it as coming after the committed file, so a second rotation before the next
                // commit does not hide it. Not under a rotated name: that input reads its own file only, and the
                // file there now is one the rotation renamed on (read by the input before it) or a copy.
                let key = FollowProgress.FileKey(identity)
                if key != FollowProgress.FileKey(e.identity) || Self.takenOver(e, by: identity, at: path),
                    !RotatedName.isRotated(path, of: rotating),
                    !e.later.contains(where: { FollowProgress.FileKey($0) == key })
                {
                    let others = checkpoint.entries.values.filter { $0.path != path }.flatMap {
                        [$0.identity] + $0.later
                    }
                    e.later += Self.unseenRotations(
                        of: path, after: e, before: identity, savedAt: savedAt, others: others)
                    e.later.append(identity)
                    checkpoint.entries[path] = e
                    for f in e.later { files.noteRead(f) }
                }
                continue
            }
            if let old = checkpoint.entries.values.first(where: {
                $0.identity.device == identity.device && $0.identity.inode == identity.inode
                    && !currentNames.contains($0.path)
            }) {
                // Under a rotated name of its path, the file was renamed away by a rotation whose new file is not
                // made yet (a restart in that moment): the path keeps its entry, and its input reads the rest of the
                // file there by its identity (`InputSet.renamedAway`). Taken over, `app.log.1` was followed as a path
                // of its own and read each later generation the rotation renamed to it, which `app.log`'s input
                // read too (a trial's harness: a generation of 145 lines read twice).
                if !RotatedName.isRotated(path, of: [old.path]) { checkpoint.rename(old.path, to: path) }
                continue
            }
            // Taken for a copy (by its first bytes) only on a restart: at a fresh start nothing was read that it could
            // be a copy of (history that starts as the path does is read).
            let mayBeACopy = since != nil && RotatedName.isRotated(path, of: rotating)
            if files.alreadyRead(identity, at: path, mayBeACopy: mayBeACopy) != nil
                || Self.rotatedSinceCommit(path, among: rotating, checkpoint: checkpoint)
            {
                files.noteRead(identity)
                continue
            }
            if Self.settling(identity, at: path, besides: rotating) { continue }
            var e = Checkpoint.Entry(path: path, identity: identity, fileOffset: 0, offset: 0, line: 1)
            if identity.fingerprintLength == 0 { e.emptySince = looked }
            if let since {
                // A path no commit named (found by an earlier life that was killed before its first commit):
                // what it held since following began and was rotated away meanwhile is read first, oldest first.
                let rotated = Self.rotations(
                    of: path, since: since, checkpoint: checkpoint, current: identity, files: files)
                if let first = rotated.first {
                    e.identity = first
                    e.later = Array(rotated.dropFirst()) + [identity]
                    e.emptySince = nil
                }
            }
            checkpoint.entries[path] = e
            // Its files are this path's: under a rotated name further down the list, they are passed over.
            for f in [e.identity] + e.later { files.noteRead(f) }
        }
    }

    /// Where to resume `path`: at its committed offset in the file the checkpoint names (the follower finds
    /// that file beside the path when a rotation renamed it), or from the start.
    static func start(path: String, checkpoint: Checkpoint, files: FollowProgress) -> InputStage.FollowStart {
        guard let e = checkpoint.entries[path] else {
            // A new file: the one the glob saw (by device and inode), so a rotation before it is opened still
            // has it read first, from its start.
            // Its first bytes too, so a copy-truncate before it is opened is followed to the copy; one found
            // empty notes when, so the copies made since are.
            let looked = UTCTime.now()
            guard let seen = FileIdentity.of(path: path) else {
                return InputStage.FollowStart(files: [], offset: 0, line: 1, progress: files)
            }
            var start = FollowSource.Start(path: path, offset: 0, identity: seen)
            if seen.fingerprintLength == 0 { start.copiedSince = looked }
            // Created after following began and rotated before the glob saw it (a loaded machine, a follower
            // just started): its rotations since then are its first lines, read first.
            let earlier =
                checkpoint.followingSince.map {
                    rotations(of: path, since: $0, checkpoint: checkpoint, current: seen, files: files)
                }
                ?? []
            return InputStage.FollowStart(
                files: earlier.map { FollowSource.Start(path: path, offset: 0, identity: $0) } + [start], offset: 0,
                line: 1, progress: files)
        }
        let later = e.later.map { FollowSource.Start(path: path, offset: 0, identity: $0) }
        var first = FollowSource.Start(path: path, offset: e.fileOffset, identity: e.identity)
        first.tail = e.tail
        if e.identity.fingerprintLength == 0 || e.fileOffset == 0 && e.emptyAfter != nil {
            (first.copiedSince, first.copiedAfter) = (e.emptySince, e.emptyAfter)
        }
        return InputStage.FollowStart(
            files: [first] + later, offset: e.offset, line: e.line, progress: files, inheritedTime: e.inheritedTime)
    }

    /// The rotations of `path` written since `since` (following began) that no checkpoint entry names, oldest
    /// first: a path no commit named yet has its lines there (10 ms of margin: the file system's clock is coarser
    /// than the wall clock).
    static func rotations(
        of path: String, since: Int64, checkpoint: Checkpoint, current: FileIdentity, files: FollowProgress
    ) -> [FileIdentity] {
        // Not a file read already: a rotated name of another path's file, or one read before a restart.
        let known = Set(
            checkpoint.entries.values.flatMap { [$0.identity] + $0.later }.map(FollowProgress.FileKey.init)
                + (checkpoint.read + files.filesRead()).map(FollowProgress.FileKey.init)
                + [FollowProgress.FileKey(current)])
        return RotatedSiblings.of(path, writtenAfter: since - 10_000_000, excluding: known).map(\.identity)
    }

    /// Files a rename rotation left beside `path` after the committed one and before the path's file now, which
    /// no commit has named: the path was rotated again before a commit saw its new file (the follower was
    /// killed first). They are the path's rotated names (`app.log.1`, `app.log-20261202`; not compressed ones),
    /// written after the committed file was last written, oldest first. When the committed file is gone (deleted,
    /// or compressed by a later rotation while the follower was down: the rest of it is lost), those written since
    /// the checkpoint was saved (`savedAt`), other than the files of other paths' entries (`others`).
    static func unseenRotations(
        of path: String, after e: Checkpoint.Entry, before current: FileIdentity, savedAt: Int64? = nil,
        others: [FileIdentity] = []
    ) -> [FileIdentity] {
        let known = Set(([e.identity, current] + e.later).map(FollowProgress.FileKey.init))
        guard let committed = FollowSource.sibling(of: path, identity: e.identity),
            let since = RotatedSiblings.modified(committed)
        else {
            // Before, the generation `delaycompress` had left plain under `app.log.1` was not read (a trial: 10
            // lines of 55).
            guard let savedAt else { return [] }
            let exclude = known.union(others.map(FollowProgress.FileKey.init))
            return RotatedSiblings.of(path, writtenAfter: savedAt, excluding: exclude).map(\.identity)
        }
        return RotatedSiblings.after(e.identity, modified: since, of: path, excluding: known).map(\.identity)
    }

    /// True when `current`, the file at `path` under the inode of the file `e` committed, is another file: it does
    /// not start as that one did, and no copy beside the path does (it was not copy-truncated). The committed file
    /// was deleted while the follower was down (compressed by a later rotation) and its inode taken by the path's
    /// new file; taken for it, the new file was read from its start and the generations between were skipped.
    static func takenOver(_ e: Checkpoint.Entry, by current: FileIdentity, at path: String) -> Bool {
        guard e.identity.fingerprintLength > 0, FollowProgress.FileKey(current) == FollowProgress.FileKey(e.identity)
        else { return false }
        return !FollowSource.unchanged(e.identity, now: current, at: path)
            && FollowSource.copy(of: path, fingerprint: e.identity, longerThan: 0) == nil
    }

    /// True for a file under a rotated name of a path in `followed` (`app.log.1`, `app.log-20261205` beside
    /// `app.log`) that is shorter than a fingerprint and was written in the last second: it may be a copy being
    /// made (logrotate creates the copy empty, then fills it), which cannot be told from a new file yet. Found so,
    /// it is looked at again at the next look rather than followed (its lines wait a second or two; none is
    /// lost, as a new file is read from its start). Other new files are followed at once.
    static func settling(_ found: FileIdentity, at path: String, besides followed: Set<String>) -> Bool {
        guard found.fingerprintLength < FileIdentity.fingerprintSpan, RotatedName.isRotated(path, of: followed),
            let m = RotatedSiblings.modified(path)
        else { return false }
        return UTCTime.now() - m < 1_000_000_000
    }

    /// True for a path a restarted follower does not follow: one it found after its last commit under a rotated
    /// name of a path the checkpoint names. That path's input reads what of it is not read yet (a rename
    /// rotation's file, a copy-truncate's copies made while the follower was down), as a followed glob that does
    /// not match rotated names does; followed as well, its lines were read twice.
    static func rotatedSinceCommit(_ path: String, among paths: Set<String>, checkpoint: Checkpoint) -> Bool {
        guard checkpoint.exists, checkpoint.entries[path] == nil,
            let base = RotatedName.base(of: path, among: paths)
        else { return false }
        return checkpoint.entries[base] != nil
    }

    /// The file `path` names, as an absolute path with no link, `.` or `..` in it, also while it is not there
    /// (between a rename rotation and the new file): its folder resolved, and a dangling link's target followed.
    static func canonical(_ path: String) -> String {
        var p = path
        for _ in 0..<8 {
            if let real = realpath(p, nil) {
                defer { free(real) }
                return String(cString: real)
            }
            // A link to a file not there (yet): where it points.
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(p, &buffer, buffer.count - 1)
            guard n > 0 else { break }
            let target = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let folder = p.lastIndex(of: "/").map { String(p[..<$0]) } ?? "."
            p = target.hasPrefix("/") ? target : (folder.isEmpty ? "" : folder) + "/" + target
        }
        let slash = p.lastIndex(of: "/")
        let folder = slash.map { String(p[..<$0]) } ?? "."
        let name = slash.map { String(p[p.index(after: $0)...]) } ?? p
        guard let real = realpath(folder.isEmpty ? "/" : folder, nil) else {
            // A folder not there yet (an output's, made by the run): under its own canonical path, so that the name
            // is the same before and after it is made.
            guard slash != nil, !folder.isEmpty, folder != p else { return p }
            let above = canonical(folder)
            return (above == "/" ? "" : above) + "/" + name
        }
        defer { free(real) }
        let base = String(cString: real)
        return (base == "/" ? "" : base) + "/" + name
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// True when one of the patterns names `path` (as given, inside a followed directory, or matched by a glob),
    /// whether or not a file is there now.
    func covers(_ path: String) -> Bool {
        guard !Self.isCompressed(path) else { return false }
        return patterns.contains { p in
            if p == path { return true }
            if Self.isDirectory(p) { return path.hasPrefix(p.hasSuffix("/") ? p : p + "/") }
            return p.contains(where: { "*?[".contains($0) }) && fnmatch(p, path, FNM_PATHNAME) == 0
        }
    }
}
