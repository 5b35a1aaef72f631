import Synchronization

/// Where each followed input's cumulative offsets fall in real files: the segments its `FollowSource` went
/// through (a rotation or truncation starts a new one), so a committed offset can be saved as a file
/// identity and an offset in that file.
public final class FollowProgress: Sendable {
    /// A stretch of an input's stream read from one file.
    struct Segment: Sendable {
        var cumulativeStart: Int64
        var identity: FileIdentity?
        var fileOffset: Int64
        /// When the reader started it (UTC nanoseconds).
        var startedAt = UTCTime.now()
        /// For a segment at the start of the path: the newest rotated file or copy of the path whose lines were
        /// read before it. Should the file be known only empty at a commit, the copies made after this one are
        /// what it held since (a wall-clock margin would take in a copy just read, or miss one just made).
        var copiedAfter: RotatedSiblings.Sibling? = nil
        /// The last bytes the reader read of it (or a checkpoint said were before its first offset): a commit's
        /// `tail` is read from the file that still holds them (see `Checkpointer`).
        var mark: ReadMark? = nil
    }

    private let segments = Mutex<[Int32: [Segment]]>([:])
    /// Per input: files a checkpoint said the path named after its committed file, not yet read.
    private let planned = Mutex<[Int32: [FileIdentity]]>([:])
    /// Per input: the files of segments dropped as wholly before a commit point (read before the committed file).
    private let passed = Mutex<[Int32: Set<FileKey>]>([:])
    /// Per input: every file (device, inode) a segment was started in, however old.
    private let seen = Mutex<[Int32: Set<FileKey>]>([:])
    /// Per file: the input that started a segment in it (its reader), and the file as it was then (its first
    /// bytes tell a file that took a deleted one's inode from it).
    private let readers = Mutex<[FileKey: (input: Int32, identity: FileIdentity)]>([:])
    /// Per input: when its file was found empty (wall clock), for a file first seen so.
    private let empty = Mutex<[Int32: Int64]>([:])
    /// The followed paths by the file they name (`FollowedFiles.canonical`), as first followed.
    private let names = Mutex<[String: String]>([:])
    /// Per followed path: when the look that started its input began (UTC nanoseconds).
    private let followed = Mutex<[String: Int64]>([:])
    /// Every file an input was started on or went on to, or passed over as one of those (see `alreadyRead`),
    /// and the files an earlier life read (`Checkpoint.read`).
    private let readFiles = Mutex(ReadFiles())
    /// What the first look at the followed paths warned of (a path passed over as a file read already).
    private let notes = Mutex<[String]>([])

    struct FileKey: Hashable, Sendable {
        var device: UInt64
        var inode: UInt64
        init(_ id: FileIdentity) {
            device = id.device
            inode = id.inode
        }
        init(device: UInt64, inode: UInt64) {
            self.device = device
            self.inode = inode
        }
    }

    /// Creates an empty registry.
    public init() {}

    /// Notes the files a checkpoint says `input`'s path named after its committed one: they are read after it,
    /// and each commit names them until a segment is started in them.
    func plan(input: Int32, later: [FileIdentity], emptySince: Int64? = nil) {
        planned.withLock { $0[input] = later }
        if let emptySince { empty.withLock { $0[input] = emptySince } }
    }

    /// When `input`'s file was first seen empty, if it was when it was found (see `Checkpoint.Entry.emptySince`).
    func emptySince(input: Int32) -> Int64? {
        empty.withLock { $0[input] }
    }

    /// Notes that `input` goes on at cumulative offset `cumulative` in the file `identity` at `fileOffset`;
    /// `startedAt` is when the reader began opening it (before its first bytes were looked at), now if nil.
    func startSegment(
        input: Int32, at cumulative: Int64, identity: FileIdentity?, fileOffset: Int64,
        copiedAfter: RotatedSiblings.Sibling? = nil, startedAt: Int64? = nil
    ) {
        if let identity {
            _ = seen.withLock { $0[input, default: []].insert(FileKey(identity)) }
            readers.withLock { r in
                // The first reader keeps the file, unless this is another file under its inode (reused).
                if let old = r[FileKey(identity)], Self.mayBeTheSame(old.identity, identity) { return }
                r[FileKey(identity)] = (input, identity)
            }
            noteRead(identity)
        }
        segments.withLock { s in
            var list = s[input] ?? []
            // The same file reopened where it was left (after giving its descriptor back): no new segment.
            if let last = list.last, let id = identity, last.identity?.device == id.device,
                last.identity?.inode == id.inode, last.cumulativeStart - last.fileOffset == cumulative - fileOffset
            {
                return
            }
            // Segments before the committed point are dropped as commits locate it (`locate`); this bounds a
            // run that never commits. Dropping one the next commit lands in would keep that input's old offset
            // while the outputs move on (a restart then reads it all again).
            if list.count > 4096 {
                let dropped = list.prefix(list.count - 4096).compactMap { $0.identity.map(FileKey.init) }
                passed.withLock { $0[input, default: []].formUnion(dropped) }
                list.removeFirst(list.count - 4096)
            }
            var segment = Segment(
                cumulativeStart: cumulative, identity: identity, fileOffset: fileOffset, copiedAfter: copiedAfter)
            if let startedAt { segment.startedAt = startedAt }
            list.append(segment)
            s[input] = list
        }
    }

    /// When the reader started the segment holding cumulative offset `position` of `input` (UTC nanoseconds):
    /// for a file it found empty, what the copies a copy-truncate made of it since are counted from.
    func startedAt(input: Int32, position: Int64) -> Int64? {
        segments.withLock { s in
            s[input].flatMap { list in list.last(where: { $0.cumulativeStart <= position })?.startedAt }
        }
    }

    /// Notes the last bytes `input`'s reader read of its current segment's file, ending at `fileOffset`.
    func mark(input: Int32, _ mark: ReadMark) {
        segments.withLock { s in
            guard let last = s[input]?.indices.last else { return }
            s[input]![last].mark = mark
        }
    }

    /// The last bytes the reader read of the segment holding cumulative offset `position` of `input` (see `mark`).
    func mark(input: Int32, position: Int64) -> ReadMark? {
        segments.withLock { s in
            s[input].flatMap { list in list.last(where: { $0.cumulativeStart <= position })?.mark }
        }
    }

    /// The newest rotated file or copy read before the segment holding cumulative offset `position` of `input`,
    /// when that segment is the path's from its start (see `Segment.copiedAfter`).
    func copiedAfter(input: Int32, position: Int64) -> RotatedSiblings.Sibling? {
        segments.withLock { s in
            s[input].flatMap { list in list.last(where: { $0.cumulativeStart <= position })?.copiedAfter }
        }
    }

    /// Makes `input` the reader of `identity`'s file before it reads it (history whose file a checkpoint names), so a
    /// reader of another path that looks for its copies first does not take it for one (see `isReadByAnother`).
    func claim(input: Int32, _ identity: FileIdentity) {
        readers.withLock { r in
            if let old = r[FileKey(identity)], Self.mayBeTheSame(old.identity, identity) { return }
            r[FileKey(identity)] = (input, identity)
        }
    }

    /// Replaces the identity of `input`'s current segment (its fingerprint grew as the file did).
    func refine(input: Int32, identity: FileIdentity) {
        noteRead(identity)
        readers.withLock { r in
            if r[FileKey(identity)]?.input == input { r[FileKey(identity)] = (input, identity) }
        }
        segments.withLock { s in
            guard var list = s[input], let last = list.last, last.identity?.inode == identity.inode else { return }
            list[list.count - 1].identity = identity
            s[input] = list
        }
    }

    /// True when an input other than `input` reads or read the file `found` at `path`: a live file beside the path
    /// under a name like a rotated one (`app.log.2026` followed in the directory), or history followed under its own
    /// name. It is not one of the path's rotations; taken for one, its lines were read twice. A file that took the
    /// inode of one another input read and that was deleted since is not that file (its first bytes tell): it is
    /// this input's to read.
    func isReadByAnother(than input: Int32, _ found: FileIdentity, at path: String) -> Bool {
        guard let reader = readers.withLock({ $0[FileKey(found)] }), reader.input != input else { return false }
        let known = reader.identity
        if known.fingerprintLength == found.fingerprintLength { return known.fingerprint == found.fingerprint }
        return known.fingerprintLength < found.fingerprintLength && known.matches(path: path)
    }

    /// False when `later` cannot be the file `earlier` was (the same inode): its first bytes differ, or it is
    /// shorter than they were. A file that grew past a short head may be it (told by reading it, see `matches`).
    private static func mayBeTheSame(_ earlier: FileIdentity, _ later: FileIdentity) -> Bool {
        if earlier.fingerprintLength == later.fingerprintLength { return earlier.fingerprint == later.fingerprint }
        return earlier.fingerprintLength < later.fingerprintLength
    }

    /// Notes that an input reads `identity`'s file (or that it was passed over as one read).
    func noteRead(_ identity: FileIdentity) {
        readFiles.withLock { $0.note(identity) }
    }

    /// Notes the files a checkpoint says were read: its entries' files and those they named after, and the
    /// files it kept as read (`Checkpoint.read`), so a later name for one of them is not read again.
    func remember(_ checkpoint: Checkpoint) {
        for f in checkpoint.read { noteRead(f) }
        for e in checkpoint.entries.values.sorted(by: { $0.path < $1.path }) {
            for f in [e.identity] + e.later { noteRead(f) }
        }
    }

    /// Notes that `path` is followed, by the file it names (`canonical`); returns the path followed already for
    /// that name, if another one is.
    func follow(_ path: String, canonical: String) -> String? {
        names.withLock { n in
            if let other = n[canonical], other != path { return other }
            n[canonical] = path
            return nil
        }
    }

    /// Notes that `path`'s input was started by a look that began at `since` (UTC nanoseconds).
    func noteFollowed(_ path: String, since: Int64) {
        followed.withLock { if $0[path] == nil { $0[path] = since } }
    }

    /// When the look that started `path`'s input began, if this run follows it: files written under its rotated
    /// names since then are its rotations.
    func followedSince(_ path: String) -> Int64? {
        followed.withLock { $0[path] }
    }

    /// Keeps a warning for the run's end.
    func warn(_ text: String) { notes.withLock { $0.append(text) } }

    /// The warnings kept.
    func warnings() -> [String] { notes.withLock { $0 } }

    /// The files read so far, oldest first (what a checkpoint keeps as `read`).
    func filesRead() -> [FileIdentity] {
        readFiles.withLock { $0.all }
    }

    /// The file read already that `found` (the file at `path` now) is: the same file (device and inode, and
    /// the first bytes read of it unchanged), or a copy of one (the same first 256 bytes: logrotate's
    /// copy-truncate leaves one beside the path its input follows). Nil for a file not read.
    /// Only a path that `mayBeACopy` (a rotated name of a followed path) is taken for a copy: separate logs that
    /// start alike (a long banner) are read.
    func alreadyRead(_ found: FileIdentity, at path: String, mayBeACopy: Bool) -> FileIdentity? {
        let whole = mayBeACopy && found.fingerprintLength == FileIdentity.fingerprintSpan
        let (same, copy) = readFiles.withLock { r in
            (r.identities(of: FileKey(found)), whole ? r.file(withHead: found.fingerprint) : nil)
        }
        for s in same.reversed() where s.fingerprintLength <= found.fingerprintLength && s.matches(path: path) {
            return s
        }
        return copy
    }

    /// The file and offset holding cumulative offset `position` of `input`, and the files the path named after
    /// that one (rename rotations since, in order): a resumed run reads them from their start before the path,
    /// so a file rotated away before the committed point reaches it is not skipped.
    func locate(input: Int32, position: Int64) -> (identity: FileIdentity, offset: Int64, later: [FileIdentity])? {
        let located: (FileIdentity, Int64, [FileIdentity])? = segments.withLock { s in
            guard var list = s[input], let found = list.lastIndex(where: { $0.cumulativeStart <= position }),
                let id = list[found].identity
            else {
                return nil
            }
            let before = list[..<found].compactMap { $0.identity.map(FileKey.init) }
            var known = passed.withLock { $0[input, default: []].union(before) }
            if let own = list[found].identity { known.insert(FileKey(own)) }
            if found > 0 {
                // Commit points only move on: the segments wholly before this one are not needed again.
                passed.withLock { $0[input, default: []].formUnion(before) }
                list.removeFirst(found)
                s[input] = list
            }
            var later: [FileIdentity] = []
            // A new file a rename rotation left at the path is read from its start; a copy (read on from an
            // offset) or the same file again after a truncation is found again by the resume's own rules.
            for seg in list.dropFirst() where seg.fileOffset == 0 {
                guard let next = seg.identity, known.insert(FileKey(next)).inserted else { continue }
                later.append(next)
            }
            return (id, list[0].fileOffset + position - list[0].cumulativeStart, later)
        }
        guard let (id, offset, found) = located else { return nil }
        var later = found
        let started = seen.withLock { $0[input] ?? [] }
        for next in planned.withLock({ $0[input] ?? [] })
        where !started.contains(FileKey(next)) && !later.contains(where: { FileKey($0) == FileKey(next) }) {
            later.append(next)
        }
        return (id, offset, later)
    }
}
