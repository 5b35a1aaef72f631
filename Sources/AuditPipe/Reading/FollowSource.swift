#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Follows a path as `tail -F` does: reads what is there, then what is appended; when the path is renamed
/// away and a new file appears (rotation), finishes the old one and goes on with the new one from its start;
/// when the file shrinks (copy-truncate), starts again from its beginning. Offsets it reports are cumulative
/// over the files it went through; `progress` maps them back to a file and an offset for checkpoints.
struct FollowSource: ByteSource {
    /// A file to read and where to start in it.
    struct Start: Sendable {
        var path: String
        var offset: Int64
        /// The file the offset belongs to (from a checkpoint); when the path now names another file, the
        /// one with this inode beside it (the rotated file) is read from the offset first.
        var identity: FileIdentity? = nil
        /// For a file known only empty (`identity` without a fingerprint): since when, UTC nanoseconds. The
        /// copies a copy-truncate made of the path since then are read first.
        var copiedSince: Int64? = nil
        /// With `copiedSince`, when the file was found empty right after the path's rotated files or copies
        /// were read: the newest of them (written at `copiedSince`). Only the copies made after it are read.
        var copiedAfter: FileIdentity? = nil
        /// The last bytes before `offset` (a checkpoint's `tail`): a file that no longer holds them there was
        /// copy-truncated and written past the offset, even when it starts as it did.
        var tail: [UInt8] = []
        /// The path's own file renamed away by a rotation (not a copy): its writer may still append to it until it
        /// reopens the path, so it is read on while written (`rotateWait`).
        var renamed = false
    }

    /// How long a file renamed away by a rotation is still read after its last write before the source goes on
    /// to the path's new file (UTC and monotonic nanoseconds). A program reopens its log a moment after the
    /// rename (logrotate's `create` and a `postrotate` reload) and writes its last lines to the renamed file
    /// meanwhile: gone on at once, a trial lost them (34 of 196 lines with the reopen 0.3 s late). Fluent Bit's
    /// `Rotate_Wait` is the same rule. Lines written to it after a second of quiet (counted from when the rename
    /// was seen) are not read; while the path has no new file, the renamed file is read on however long it is
    /// quiet.
    static let defaultRotateWait: Int64 = UTCTime.second
    /// The longest a renamed file still written holds back the path's new file (monotonic nanoseconds): a program
    /// that never reopens (its log renamed by hand) does not keep the new file unread.
    static let rotateWaitLimit: Int64 = 5 * UTCTime.second

    private let path: String
    private let input: Int32
    private let control: RunControl
    private let progress: FollowProgress
    private var pending: [Start]
    private var fd: Int32 = -1
    private var identity: FileIdentity?
    private var fileOffset: Int64 = 0
    private var cumulative: Int64
    private var readingRotated = false
    /// The file being read (the path, or a rotated file or copy beside it).
    private var currentPath = ""
    /// Why the last open failed, when it is not "not there yet" (a file that cannot be read is an input
    /// error, as in a batch run, not a file to wait for).
    private var openFailure: Int32 = 0
    /// The modification time of the file last closed (`lastWritten()` while none is open).
    private var closedWritten: Int64?
    /// Set while the descriptor is given back (`suspend()`): what the file looked like then.
    private var suspendedAt: (device: UInt64, inode: UInt64, size: Int64, modified: Int64, atEnd: Bool)?
    /// The first bytes of the file being read (up to the fingerprint span): what a copy-truncate's copy of
    /// it starts with.
    private var head: [UInt8] = []
    /// The last bytes read from the file (up to `tailSpan`, ending at `fileOffset`): a file copy-truncated and
    /// written past the offset again no longer holds them there, even when every generation starts with the same
    /// bytes (a long constant prefix on every line), so its head cannot tell.
    private var tail: [UInt8] = []
    static let tailSpan = 64
    /// When the last copy a copy-truncate of the path made was written (nanoseconds), once one was followed: a
    /// copy written after it means the path was copy-truncated again.
    private var lastCopy: RotatedSiblings.Sibling?
    /// The rotated files and copies this source has opened (each is read to its end once opened).
    private var readRotated = Set<FollowProgress.FileKey>()
    /// For the path opened while known only empty with no copy of it read before (`Start.copiedSince`, when none
    /// was made since): what its copies are counted from, and the file's modification time when they were looked
    /// for, just before the open (read after it, a write in between went unseen). Until a
    /// byte of it is read, a copy made since holds its first lines (written and copy-truncated before the reader
    /// got to them: a loaded machine).
    private var emptyAt: (since: Int64, after: FileIdentity?, modified: Int64)?
    /// The file a rename rotation just took away from the path, read to its end: what the path's next file
    /// comes after.
    private var renamedAway: RotatedSiblings.Sibling?
    /// The open file is the path's own renamed away (see `Start.renamed`).
    private var onRenamedFile = false
    /// While the open file, renamed away, is read on: its size when last looked at and since when, and since
    /// when it is read on (monotonic).
    private var lastGrowth: (size: Int64, at: Int64)?
    private var lingeringSince: Int64?
    /// `defaultRotateWait`, or none (a test of which file comes after which, read at once).
    var rotateWait = FollowSource.defaultRotateWait
    /// Set for a rotated name of another followed path (`app.log.1` beside `app.log`): the source reads the one
    /// file it first opened, wherever a rotation renames it, and never a file a rotation puts at the name next
    /// (the other path's, which that path's input reads; read here too, each of its lines came twice).
    private(set) var staysOnFile = false
    /// The file a `staysOnFile` source reads.
    private var ownFile: FileIdentity?
    /// Set once a `staysOnFile` source's file is deleted (or moved out of its directory): it has nothing more to
    /// read, ever (a file that takes its inode is told apart by its first bytes).
    private var ownFileGone = false

    /// Makes the source read only the file it starts on (see `staysOnFile`): the file its first start names (a
    /// checkpoint's, which a rotation while the follower was down may have renamed on or deleted), else the first
    /// it opens.
    mutating func stayOnFirstFile() {
        staysOnFile = true
        ownFile = pending.first?.identity
    }

    /// Follows `path`, first reading `pending` (e.g. the rest of a rotated file, then the path from an offset);
    /// `cumulative` is the stream offset the first byte read will have.
    init(path: String, input: Int32, pending: [Start], cumulative: Int64, control: RunControl, progress: FollowProgress)
    {
        self.path = path
        self.input = input
        self.pending = pending
        self.cumulative = cumulative
        self.control = control
        self.progress = progress
    }

    mutating func read(into buffer: inout [UInt8], max: Int) throws(InputError) -> Int {
        while !control.isStopRequested {
            guard fd >= 0 || openNext() else {
                if openFailure != 0 {
                    throw InputError(source: path, message: "cannot open: \(String(cString: strerror(openFailure)))")
                }
                return 0
            }
            // No further than the file's end: a small file gets a small buffer.
            let max = Swift.min(max, Swift.max(1, Int(size() - fileOffset)))
            let old = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: max))
            let n = buffer.withUnsafeMutableBufferPointer { p in Glibc.read(fd, p.baseAddress! + old, max) }
            buffer.removeLast(max - Swift.max(0, n))
            if n < 0 {
                if errno == EINTR { continue }
                throw InputError(source: path, message: "read failed: \(String(cString: strerror(errno)))")
            }
            if n > 0 {
                if !readingRotated && (headChanged() || tailChanged() || copiedSinceItWasShort()) {
                    // Truncated and written again, maybe before these bytes were read: they may be the new
                    // content's, read at the old offset. Drop them and follow the truncation instead.
                    buffer.removeLast(n)
                    if !followTruncation() { return 0 }
                    continue
                }
                fileOffset += Int64(n)
                cumulative += Int64(n)
                if head.count < FileIdentity.fingerprintSpan { noteHead() }
                noteTail(buffer[(buffer.count - n)...])
                progress.mark(input: input, ReadMark(offset: fileOffset, bytes: tail))
                return n
            }
            // Nothing to read here now: go on with the next file if there is one (a rotation or a truncation
            // since wouldBlock() looked); otherwise report a pause (`endedAtEmptyRead` is false until a stop).
            // Never sleep here: a reader waiting on a thread of the shared pool starves every other stage.
            if !switchIfRotatedOrTruncated() { return 0 }
        }
        return 0
    }

    /// The modification time of the file read last (open, given back or closed at its end): when its last bytes
    /// were written. A source that stays on its file and read it to its end has nothing open, and its pause is
    /// still the file's: counted from the look instead, every restart waited an idle gap on it again.
    func lastWritten() -> Int64? {
        var st = stat()
        guard fd >= 0, fstat(fd, &st) == 0 else {
            // A file gone for good was quiet before anything this run knows of.
            return suspendedAt?.modified ?? closedWritten ?? (ownFileGone ? 0 : nil)
        }
        return Self.modified(st)
    }

    /// A followed file has no end: an empty read is a pause, unless a stop was requested.
    mutating func endedAtEmptyRead() -> Bool { control.isStopRequested }

    /// True while there is nothing new to read; switches files on rotation or truncation.
    mutating func wouldBlock() -> Bool {
        if control.isStopRequested { return false }
        guard fd >= 0 || openNext() else { return openFailure == 0 }
        // Through the files a rotation left (each switch takes one from `pending`): data in one of them, or none.
        for _ in 0..<8 {
            if size() > fileOffset { return false }
            if !switchIfRotatedOrTruncated() { return true }
        }
        return size() <= fileOffset
    }

    mutating func close() {
        if fd >= 0 {
            var st = stat()
            if fstat(fd, &st) == 0 { closedWritten = Self.modified(st) }
            _ = Glibc.close(fd)
        }
        fd = -1
        suspendedAt = nil
    }

    /// Gives the descriptor back, remembering the file (path, identity, offset) to reopen: the next look
    /// reopens it as a checkpoint resume does, so a rename rotation or a copy-truncate meanwhile is followed.
    mutating func suspend() -> Bool {
        guard fd >= 0 else { return suspendedAt != nil }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return false }
        suspendedAt = (
            UInt64(st.st_dev), UInt64(st.st_ino), Int64(st.st_size), Self.modified(st),
            fileOffset >= Int64(st.st_size)
        )
        var resume = Start(path: currentPath, offset: fileOffset, identity: identity, tail: tail)
        resume.renamed = onRenamedFile
        if let empty = emptyAt, head.isEmpty, fileOffset == 0 {
            // Still known only empty: reopened, the copies made since are looked for again.
            (resume.copiedSince, resume.copiedAfter) = (empty.since, empty.after)
        }
        pending.insert(resume, at: 0)
        _ = Glibc.close(fd)
        fd = -1
        return true
    }

    /// True while the descriptor is given back.
    var isSuspended: Bool { suspendedAt != nil }

    /// While suspended at the end of the file: true once the path names another file, or its size or
    /// modification time changed (it grew, or was truncated and rewritten); a missing path has nothing new.
    mutating func mayHaveNews() -> Bool {
        guard let was = suspendedAt, was.atEnd, !control.isStopRequested, pending.count == 1,
            pending[0].path == path
        else { return true }
        var st = stat()
        guard stat(path, &st) == 0 else { return false }
        return UInt64(st.st_dev) != was.device || UInt64(st.st_ino) != was.inode || Int64(st.st_size) != was.size
            || Self.modified(st) != was.modified
    }

    private static func modified(_ st: stat) -> Int64 {
        Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
    }

    /// At the end of the current file: moves to the next pending file, the path's new file (rotation, once
    /// the old one is read to its end and quiet, see `rotateWait`) or the start of the same file (truncation).
    /// True when there is something to read now.
    private mutating func switchIfRotatedOrTruncated() -> Bool {
        if readingRotated || !pending.isEmpty {
            if readingRotated && onRenamedFile && !staysOnFile {
                // The path's file renamed away, and its writer has not made the new one yet, or still writes to it.
                let noNewFile = pending.first?.path == path && Self.deviceAndInode(of: path) == nil
                if noNewFile || stillWritten() { return false }
            }
            close()
            return openNext()
        }
        if let now = Self.deviceAndInode(of: path), let current = identity,
            now.device != current.device || now.inode != current.inode
        {
            // Renamed away: lines written just before the rename may have come after our last look, and its
            // writer may not have reopened the path yet.
            if size() > fileOffset { return true }
            // The path's own file only: a rotated name's input (`staysOnFile`) reads history or a copy, which no
            // program writes to.
            if !staysOnFile && stillWritten() { return false }
            let old = Self.sibling(of: path, identity: current).flatMap { rotated in
                RotatedSiblings.modified(rotated).map {
                    RotatedSiblings.Sibling(path: rotated, identity: current, modified: $0)
                }
            }
            // Renamed away again before we looked (a stopped or loaded process): the files the path named in
            // between are its rotated files made after ours, read oldest first, before the path's new one.
            let skip: Set<FollowProgress.FileKey> = [
                FollowProgress.FileKey(current), FollowProgress.FileKey(device: now.device, inode: now.inode),
            ]
            // Deleted since it was renamed (`delaycompress` compressed it at the next rotation while this reader
            // waited on the merge): the files after it are those written after its last write. Without it, the
            // generation still under `app.log.1` was not read.
            let anchor =
                old ?? modifiedNow().map { RotatedSiblings.Sibling(path: path, identity: current, modified: $0) }
            let between = anchor.map {
                ownRotations(RotatedSiblings.after($0.identity, modified: $0.modified, of: path, excluding: skip))
            }
            close()
            var next = (between ?? []).map { Start(path: $0.path, offset: 0, identity: $0.identity) }
            // The newest of them is the file the path named until its new one: renamed away by a rotation that came
            // while this one was read on, its program may still write to it too. Gone on at once, a trial lost what
            // it wrote there (20 and 29 lines, `rotate 2` with the program reopening 0.3 s late, no kill).
            if !next.isEmpty { next[next.count - 1].renamed = true }
            pending = next + [Start(path: path, offset: 0)]
            renamedAway = old
            lastCopy = nil
            return openNext()
        }
        if size() < fileOffset || headChanged() || tailChanged() || copiedSinceItWasShort() {
            return followTruncation()
        }
        return false
    }

    /// True while the open file (renamed away) is read on: until `rotateWait` after it was found renamed and after
    /// it last grew, as seen here (its modification time is a file server's clock, and a program quiet for a while
    /// before the rotation may write right after it), and no longer than `rotateWaitLimit`.
    private mutating func stillWritten() -> Bool {
        var st = stat()
        guard fd >= 0, fstat(fd, &st) == 0 else { return false }
        let now = RunControl.now()
        let since = lingeringSince ?? now
        lingeringSince = since
        if lastGrowth?.size != Int64(st.st_size) { lastGrowth = (Int64(st.st_size), now) }
        guard let seen = lastGrowth else { return false }
        return now - seen.at < rotateWait && now - since < Self.rotateWaitLimit
    }

    /// True when the path, copy-truncated before and with too few bytes when last looked at for its head to
    /// tell, was copy-truncated again since: a copy newer than the last one followed is beside it. Or, opened
    /// while known only empty and nothing read of it yet (`emptyAt`), it was written and copy-truncated since.
    private func copiedSinceItWasShort() -> Bool {
        guard head.count < FileIdentity.fingerprintSpan else { return false }
        if let last = lastCopy { return !copies(after: last).isEmpty }
        // The directory is listed only once the file has bytes or changed since it was opened (a write or a
        // truncation does): a follower of many empty files does not list it at every look. Its bytes tell even
        // when its time was read after the write (the process stopped between the open and that look).
        guard head.isEmpty, let empty = emptyAt, size() > 0 || modifiedNow() != empty.modified else { return false }
        return !copies(of: path, madeSince: empty.since, after: empty.after).isEmpty
    }

    /// The copies a copy-truncate made of `path` since it was known empty at `since`: those made after `after`
    /// (the newest copy read before, when there was one), else those written since (10 ms of margin for the file
    /// system's coarser clock); oldest first, without the path's own file and files another input reads. A copy
    /// whose bytes the path still starts with is left out: the truncate has not come yet (`copytruncate` copies
    /// first), and its lines are read at the path.
    private func copies(of path: String, madeSince since: Int64, after: FileIdentity?) -> [RotatedSiblings.Sibling] {
        let own =
            Self.deviceAndInode(of: path).map { Set([FollowProgress.FileKey(device: $0.device, inode: $0.inode)]) }
            ?? []
        return ownRotations(
            after.map { RotatedSiblings.after($0, modified: since, of: path, excluding: own) }
                ?? RotatedSiblings.of(path, writtenAfter: since - 10_000_000, excluding: own)
        ).filter { !Self.stillHolds(path, copy: $0.path) }
    }

    /// True when the file at `path` starts with every byte of the file at `copy` (an empty copy too): a copy made
    /// before the path was truncated, or one still being written. A copy over 64 MiB is compared on its first and
    /// last MiB.
    static func stillHolds(_ path: String, copy: String) -> Bool {
        reading(path) { a in reading(copy) { b in stillHolds(a, copy: b) } } ?? false
    }

    /// `stillHolds(_:copy:)` on open descriptors.
    private static func stillHolds(_ a: Int32, copy b: Int32) -> Bool {
        var sa = stat()
        var sb = stat()
        guard fstat(a, &sa) == 0, fstat(b, &sb) == 0 else { return false }
        let n = Int64(sb.st_size)
        guard Int64(sa.st_size) >= n else { return false }
        let mib: Int64 = 1 << 20
        let ranges = n > 64 * mib ? [0..<mib, (n - mib)..<n] : [0..<n]
        let chunk = 1 << 16
        var x = [UInt8](repeating: 0, count: chunk)
        var y = [UInt8](repeating: 0, count: chunk)
        for range in ranges {
            var at = range.lowerBound
            while at < range.upperBound {
                let want = Int(Swift.min(Int64(chunk), range.upperBound - at))
                let got = x.withUnsafeMutableBytes { pread(a, $0.baseAddress, want, off_t(at)) }
                guard got == want, y.withUnsafeMutableBytes({ pread(b, $0.baseAddress, want, off_t(at)) }) == want,
                    memcmp(x, y, want) == 0
                else { return false }
                at += Int64(want)
            }
        }
        return true
    }

    /// The open file's modification time now (nanoseconds), nil when it cannot be read.
    private func modifiedNow() -> Int64? {
        var st = stat()
        return fstat(fd, &st) == 0 ? Self.modified(st) : nil
    }

    /// The path's copies made after `last` (not the path's own file), oldest first; without one whose bytes the
    /// path still starts with (copied, not truncated yet: see `stillHolds`).
    private func copies(after last: RotatedSiblings.Sibling) -> [RotatedSiblings.Sibling] {
        let own =
            Self.deviceAndInode(of: path).map { Set([FollowProgress.FileKey(device: $0.device, inode: $0.inode)]) }
            ?? []
        return ownRotations(RotatedSiblings.after(last.identity, modified: last.modified, of: path, excluding: own))
            .filter { !Self.stillHolds(path, copy: $0.path) }
    }

    /// `found` without the files another input reads (see `FollowProgress.isReadByAnother`).
    private func ownRotations(_ found: [RotatedSiblings.Sibling]) -> [RotatedSiblings.Sibling] {
        found.filter { !progress.isReadByAnother(than: input, $0.identity, at: $0.path) }
    }

    /// True when the file's first bytes are no longer the ones it started with: it was truncated and written
    /// again, even past the offset read so far (its size alone does not tell then).
    private func headChanged() -> Bool {
        guard !head.isEmpty else { return false }
        // Called at every read and every look at the file's end: no allocation, and memcmp.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: head.count) { bytes in
            let n = pread(fd, bytes.baseAddress, head.count, 0)
            guard n > 0 else { return false }
            return head.withUnsafeBufferPointer { memcmp($0.baseAddress!, bytes.baseAddress!, n) != 0 }
        }
    }

    /// True when the bytes before the offset read so far are no longer the ones read there: the file was
    /// truncated and written past the offset again (copy-truncated while the process was stopped), though it
    /// starts as it did.
    private func tailChanged() -> Bool {
        guard !tail.isEmpty, fileOffset >= Int64(tail.count) else { return false }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: tail.count) { bytes in
            let n = pread(fd, bytes.baseAddress, tail.count, off_t(fileOffset) - off_t(tail.count))
            // Shorter now: truncated, which the size tells.
            guard n == tail.count else { return false }
            return tail.withUnsafeBufferPointer { memcmp($0.baseAddress!, bytes.baseAddress!, n) != 0 }
        }
    }

    /// Keeps the last `tailSpan` bytes read, `read` being the bytes just read (ending at `fileOffset`).
    private mutating func noteTail(_ read: ArraySlice<UInt8>) {
        if read.count >= Self.tailSpan {
            tail = Array(read.suffix(Self.tailSpan))
        } else {
            tail.append(contentsOf: read)
            if tail.count > Self.tailSpan { tail.removeFirst(tail.count - Self.tailSpan) }
        }
    }

    /// Up to `tailSpan` bytes before `offset` in the file `identity`: the file at `path`, or the rotated file
    /// beside it with that device and inode. Empty when neither is there or the file is shorter.
    ///
    /// With `mark` (the last bytes the reader read of that file, ending at or after `offset`), only a file that
    /// still holds them is read: a copy-truncate since cut the file short or wrote other bytes there (unseen when
    /// every generation starts alike), and those saved would name another generation, or none, and a restart would
    /// skip or read again what the copy holds. The copy beside the path that holds them is read instead; nil when
    /// no file does (the caller keeps what it knew).
    static func bytes(
        before offset: Int64, in identity: FileIdentity, path: String, mark: ReadMark? = nil
    ) -> [UInt8]? {
        guard offset > 0 else { return [] }
        let mark = mark.flatMap { $0.offset >= offset && !$0.bytes.isEmpty ? $0 : nil }
        func tail(_ fd: Int32) -> [UInt8] {
            let count = Int(Swift.min(offset, Int64(tailSpan)))
            var bytes = [UInt8](repeating: 0, count: count)
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset) - off_t(count)) }
            return n == count ? bytes : []
        }
        func read(_ candidate: String) -> [UInt8]? { reading(candidate, read) }
        func read(_ fd: Int32) -> [UInt8]? {
            var st = stat()
            guard fstat(fd, &st) == 0, UInt64(st.st_dev) == identity.device, UInt64(st.st_ino) == identity.inode
            else { return nil }
            if let mark { return holds(fd, mark.bytes, endingAt: mark.offset) ? tail(fd) : nil }
            // Copy-truncated and written again since it was read (its head tells, when generations differ there):
            // the bytes there now are not the ones read, and saved they would rule out the copy that holds them.
            guard identity.fingerprintLength == 0 || identity.matches(fd: fd) else { return [] }
            return tail(fd)
        }
        if let bytes = read(path) ?? sibling(of: path, identity: identity).flatMap(read) { return bytes }
        guard let mark else { return [] }
        for candidate in siblings(of: path) where size(of: candidate) >= mark.offset {
            if let bytes = reading(candidate, { holds($0, mark.bytes, endingAt: mark.offset) ? tail($0) : nil }) {
                return bytes
            }
        }
        return nil
    }

    /// `body` on `path` opened for reading (closed after); nil when it cannot be opened.
    static func reading<T>(_ path: String, _ body: (Int32) -> T?) -> T? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { Glibc.close(fd) }
        return body(fd)
    }

    /// True when the file at `path` holds `tail` just before `offset` (always, for no tail).
    static func holds(_ path: String, _ tail: [UInt8], endingAt offset: Int64) -> Bool {
        guard !tail.isEmpty else { return true }
        return reading(path) { holds($0, tail, endingAt: offset) } ?? false
    }

    /// True when the open file holds `tail` just before `offset` (always, for no tail).
    static func holds(_ fd: Int32, _ tail: [UInt8], endingAt offset: Int64) -> Bool {
        guard !tail.isEmpty else { return true }
        guard offset >= Int64(tail.count) else { return false }
        var bytes = [UInt8](repeating: 0, count: tail.count)
        let n = bytes.withUnsafeMutableBytes {
            pread(fd, $0.baseAddress, tail.count, off_t(offset) - off_t(tail.count))
        }
        return n == tail.count && bytes == tail
    }

    /// The path was truncated (copy-truncate): what was not read yet is in the copy beside it, and what the
    /// path held after it, if it was copy-truncated again before we looked, in the copies made since; read
    /// them in that order, then the path from its start. Without a copy, the path is read again from its start.
    private mutating func followTruncation() -> Bool {
        // Copy-truncated before: the copies made since the last one followed, oldest first; the first holds what
        // we were reading. Otherwise (or when it does not start as the file did) the copy that starts as it did.
        // Of copies that start alike, the one that also holds the last bytes read before the offset.
        var copies =
            lastCopy.map { self.copies(after: $0) }
            ?? (head.isEmpty ? emptyAt.map { self.copies(of: path, madeSince: $0.since, after: $0.after) } : nil) ?? []
        if let first = copies.first, Self.starts(first.path, with: head),
            Self.holds(first.path, tail, endingAt: fileOffset)
        {
        } else if let copy = Self.copy(
            of: path, startingWith: head, longerThan: fileOffset - 1, holding: tail, endingAt: fileOffset)
        {
            copies = [copy] + Self.copies(of: path, after: copy)
        }
        if let first = copies.first, Self.starts(first.path, with: head) {
            let offset = fileOffset
            close()
            lastCopy = copies.last
            pending =
                [Start(path: first.path, offset: offset, identity: first.identity)]
                + copies.dropFirst().map { Start(path: $0.path, offset: 0, identity: $0.identity) }
                + [Start(path: path, offset: 0)]
            return openNext()
        }
        // Copies none of which starts as the file did are not ours to read; counted as seen, they do not make every
        // later look take the path for copy-truncated again (which read it over and over).
        if let newest = copies.last { lastCopy = newest }
        _ = lseek(fd, 0, SEEK_SET)
        fileOffset = 0
        identity = FileIdentity.of(fd: fd)
        head = []
        tail = []
        noteHead()
        progress.startSegment(input: input, at: cumulative, identity: identity, fileOffset: 0, copiedAfter: lastCopy)
        return true
    }

    /// True when the file at `path`, now `current` (same device and inode as `expected`), still starts with the
    /// bytes `expected` fingerprinted: compared without reading it again unless it grew past a short fingerprint.
    static func unchanged(_ expected: FileIdentity, now current: FileIdentity, at path: String) -> Bool {
        if current.fingerprintLength == expected.fingerprintLength {
            return current.fingerprint == expected.fingerprint
        }
        return current.fingerprintLength > expected.fingerprintLength && expected.matches(path: path)
    }

    /// True when the file at `path` starts with `head`.
    static func starts(_ path: String, with head: [UInt8]) -> Bool {
        holds(path, head, endingAt: Int64(head.count))
    }

    /// The copies a copy-truncate made of `path` after `copy` (written later, under the path's rotated names),
    /// oldest first: the path was copy-truncated again before the follower saw the first one. Not one whose bytes
    /// the path still starts with (its truncate has not come yet).
    static func copies(of path: String, after copy: RotatedSiblings.Sibling) -> [RotatedSiblings.Sibling] {
        var known: Set<FollowProgress.FileKey> = [FollowProgress.FileKey(copy.identity)]
        if let own = deviceAndInode(of: path) {
            known.insert(FollowProgress.FileKey(device: own.device, inode: own.inode))
        }
        return RotatedSiblings.after(copy.identity, modified: copy.modified, of: path, excluding: known)
            .filter { !stillHolds(path, copy: $0.path) }
    }

    /// `copies` (oldest first) up to the first that is a file still to be read or starts as one did: that one and
    /// those after it are that file's, read with it (read before it, they would come out of order and again).
    /// The file being resumed itself (renamed away after its copy: the rest of it) is kept wherever it is.
    static func before(_ planned: [Start], _ copies: [RotatedSiblings.Sibling], keeping own: FileIdentity? = nil)
        -> [RotatedSiblings.Sibling]
    {
        let files = planned.compactMap(\.identity)
        let keys = Set(files.map(FollowProgress.FileKey.init))
        let kept = own.map(FollowProgress.FileKey.init)
        var out: [RotatedSiblings.Sibling] = []
        var cut = false
        for copy in copies {
            let key = FollowProgress.FileKey(copy.identity)
            if key == kept {
                out.append(copy)
                continue
            }
            if cut || keys.contains(key) { cut = true; continue }
            if files.contains(where: { $0.fingerprintLength > 0 && starts(copy.path, as: $0) }) {
                cut = true
                continue
            }
            out.append(copy)
        }
        return out
    }

    /// Puts `copies` (oldest first) among the files still to read in the order they were written: each before
    /// the first later file beside `path` written after it (the path's own file, or a file gone, last).
    static func merge(_ copies: [RotatedSiblings.Sibling], into pending: inout [Start], path: String) {
        let written = pending.map { start -> Int64 in
            guard let id = start.identity, let file = sibling(of: path, identity: id) else { return .max }
            return RotatedSiblings.modified(file) ?? .max
        }
        var out: [Start] = []
        var next = 0
        for (k, start) in pending.enumerated() {
            while next < copies.count, copies[next].modified < written[k] {
                out.append(Start(path: copies[next].path, offset: 0, identity: copies[next].identity))
                next += 1
            }
            out.append(start)
        }
        // After every later file (none was written after them): before the path's own file, which is last.
        let rest = copies[next...].map { Start(path: $0.path, offset: 0, identity: $0.identity) }
        if let last = out.last, last.path == path, written.last == .max {
            out.insert(contentsOf: rest, at: out.count - 1)
        } else {
            out += rest
        }
        pending = out
    }

    /// True when the file at `path` starts with the bytes `identity` fingerprinted.
    private static func starts(_ path: String, as identity: FileIdentity) -> Bool {
        reading(path) { starts($0, as: identity) } ?? false
    }

    /// `starts(_:as:)` on an open descriptor.
    private static func starts(_ fd: Int32, as identity: FileIdentity) -> Bool {
        var bytes = [UInt8](repeating: 0, count: identity.fingerprintLength)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, identity.fingerprintLength, 0) }
        return n == identity.fingerprintLength && FileIdentity.fnv(bytes[...]) == identity.fingerprint
    }

    /// Opens the next pending file, or the path itself from its start; false when there is none yet.
    private mutating func openNext() -> Bool {
        if ownFileGone { return false }
        let before = pending
        var start = pending.isEmpty ? Start(path: path, offset: 0) : pending.removeFirst()
        var opensEmpty: (since: Int64, after: FileIdentity?, modified: Int64)?
        // A file the path named after the committed one (a checkpoint's `later`) that is gone from the directory:
        // nothing of it is left to read, and the files after it lead on to the path.
        while !pending.isEmpty, let expected = start.identity, !Self.exists(expected, at: start.path) {
            start = pending.removeFirst()
        }
        // A later file that is the path while it was empty (a copy-truncate's fresh start, nothing read of it):
        // what it held since is in the copies after it or in the path itself, read at the end; reading the path
        // here would read it twice.
        while !pending.isEmpty, start.copiedSince == nil, start.path == path, start.offset == 0,
            let expected = start.identity, expected.fingerprintLength == 0, let current = FileIdentity.of(path: path),
            current.device == expected.device, current.inode == expected.inode
        {
            start = pending.removeFirst()
        }
        if let since = start.copiedSince, start.offset == 0, let expected = start.identity,
            expected.fingerprintLength == 0 || start.copiedAfter != nil,
            let current = FileIdentity.of(path: start.path),
            current.device == expected.device, current.inode == expected.inode
        {
            // Known only empty, and copy-truncated since (the follower was down, or had not opened it yet): what
            // it held is in the copies made after the newest one read before it was found empty; without one, in
            // those written since. A copy or rotated file of the path this source just read (a start's earlier
            // rotations) is the newest read: only those after it. Its time is read before they are looked for: a
            // write after the look changes it.
            let modified = RotatedSiblings.modified(start.path) ?? 0
            let after = start.copiedAfter ?? lastCopy?.identity
            let copies = self.copies(of: start.path, madeSince: since, after: after)
            if copies.isEmpty {
                // None yet: one made before the first read is still looked for (`emptyAt`).
                opensEmpty = (since, after, modified)
            }
            if let first = copies.first {
                pending.insert(Start(path: start.path, offset: 0), at: 0)
                pending.insert(
                    contentsOf: copies.dropFirst().map { Start(path: $0.path, offset: 0, identity: $0.identity) }, at: 0
                )
                lastCopy = copies.last
                start = Start(path: first.path, offset: 0, identity: first.identity)
            }
        }
        if start.path == path, !readRotated.isEmpty, let expected = start.identity, expected.fingerprintLength > 0,
            let current = FileIdentity.of(path: path), current.device == expected.device,
            current.inode == expected.inode, !Self.unchanged(expected, now: current, at: path),
            let copy = Self.copy(of: path, fingerprint: expected, longerThan: start.offset, holding: start.tail),
            readRotated.contains(FollowProgress.FileKey(copy.identity))
        {
            // The path as a checkpoint's later entry named it, copy-truncated since into a copy this source has read
            // already (the entry before named that copy): what is left is the path from its start, after the copies
            // made since. Taken for copy-truncated while the follower was down, the copy was read again (a kill
            // differential's trace: 5,208 bytes twice).
            start = Start(path: path, offset: 0)
        }
        if let expected = start.identity, let current = FileIdentity.of(path: start.path),
            current.device == expected.device, current.inode == expected.inode, expected.fingerprintLength > 0,
            Self.size(of: start.path) < start.offset || !Self.unchanged(expected, now: current, at: start.path)
                || !Self.holds(start.path, start.tail, endingAt: start.offset),
            let copy = Self.copy(
                of: start.path, fingerprint: expected, longerThan: start.offset, holding: start.tail)
        {
            // Copy-truncated while we were away: the rest of what we had is in the copy, then in the copies made
            // since (copy-truncated again), then the path, unless files that came after are still to be read:
            // they lead on to it.
            if pending.isEmpty { pending.insert(Start(path: start.path, offset: 0), at: 0) }
            pending.removeAll { $0.identity.map(FollowProgress.FileKey.init) == FollowProgress.FileKey(copy.identity) }
            let since = Self.before(pending, Self.copies(of: start.path, after: copy))
            Self.merge(since, into: &pending, path: start.path)
            lastCopy = since.last ?? copy
            start = Start(path: copy.path, offset: start.offset, identity: copy.identity)
        } else if let expected = start.identity,
            FileIdentity.of(path: start.path).map({ $0.device != expected.device || $0.inode != expected.inode })
                ?? (!staysOnFile && expected.fingerprintLength > 0)
        {
            // Another file at the path, or none (renamed away, the new file not made yet): the file is found
            // beside it by its identity.
            if let rotated = Self.sibling(of: start.path, identity: expected) {
                if pending.isEmpty { pending.insert(Start(path: start.path, offset: 0), at: 0) }
                if expected.fingerprintLength > 0, let now = FileIdentity.of(path: rotated),
                    Self.size(of: rotated) < start.offset || !Self.unchanged(expected, now: now, at: rotated)
                        || !Self.holds(rotated, start.tail, endingAt: start.offset),
                    let copy = Self.copy(
                        of: start.path, fingerprint: expected, longerThan: start.offset, holding: start.tail)
                {
                    // Copy-truncated, then renamed away (a path rotated both ways): the rest of what we had is in
                    // the copy; the renamed file (what the path held after the copy) and any copies between come
                    // after it, oldest first. A later file named for the copy itself is this read of it.
                    pending.removeAll {
                        $0.identity.map(FollowProgress.FileKey.init) == FollowProgress.FileKey(copy.identity)
                    }
                    let since = Self.before(pending, Self.copies(of: start.path, after: copy), keeping: expected)
                    Self.merge(since, into: &pending, path: start.path)
                    start = Start(path: copy.path, offset: start.offset, identity: copy.identity)
                } else {
                    start = Start(path: rotated, offset: start.offset, identity: expected, tail: start.tail)
                    start.renamed = true
                }
            } else {
                start.offset = 0
            }
        }
        if start.path == path, start.offset == 0, let last = lastCopy,
            Self.isFreshStart(start.identity, of: path) || Self.startsAlike(start.identity, last, path: path)
        {
            // Copy-truncated again while the copies before were read (or since a commit named the path while it
            // was empty, after a copy; or since a commit named it, when every generation starts with the same
            // bytes, so its first bytes cannot tell): what the path held meanwhile is in the newer copies; read
            // them before it.
            let newer = copies(after: last)
            if let first = newer.first {
                pending.insert(start, at: 0)
                pending.insert(
                    contentsOf: newer.dropFirst().map { Start(path: $0.path, offset: 0, identity: $0.identity) }, at: 0)
                start = Start(path: first.path, offset: 0, identity: first.identity)
                lastCopy = newer.last
            }
        }
        if staysOnFile, let own = ownFile, !own.matches(path: start.path) {
            // Another file at the name now, or one that took its inode when it was deleted (its first bytes
            // tell): not this source's (see `staysOnFile`). Looked at again later, unless its file is gone from
            // the directory: nothing more can come, and its pause dates from before the run (`lastWritten`).
            pending = before
            // Where it was last read first (an open and a read), the directory only when it is not there.
            if !own.matches(path: currentPath.isEmpty ? path : currentPath), !own.matches(path: path),
                Self.sibling(of: path, identity: own).map({ own.matches(path: $0) }) != true
            {
                ownFileGone = true
            }
            return false
        }
        readingRotated = start.path != path
        // Before the file is opened and its first bytes read: a file found empty is known so since then.
        let opening = UTCTime.now()
        var f = open(start.path, O_RDONLY | O_CLOEXEC)
        // A rotated file is opened as the file chosen: its name may have been taken by a newer rotation since
        // (`.1` shifted to `.2`, a new `.1` made). It is found again by its identity, or is gone (nothing of it
        // is left to read).
        for _ in 0..<4 where f >= 0 && readingRotated {
            guard let want = start.identity, let opened = FileIdentity.of(fd: f),
                opened.device != want.device || opened.inode != want.inode
            else { break }
            _ = Glibc.close(f)
            guard let moved = Self.sibling(of: path, identity: want) else { return openNext() }
            start.path = moved
            f = open(start.path, O_RDONLY | O_CLOEXEC)
        }
        guard f >= 0 else {
            openFailure = errno == EACCES || errno == EISDIR || errno == ELOOP ? errno : 0
            // Keep where to resume (a suspended or checkpointed file) for the next look.
            pending = before
            return false
        }
        fd = f
        currentPath = start.path
        onRenamedFile = start.renamed
        (lastGrowth, lingeringSince) = (nil, nil)
        suspendedAt = nil
        emptyAt = start.path == path && start.offset == 0 ? opensEmpty : nil
        identity = FileIdentity.of(fd: f)
        if staysOnFile && ownFile == nil { ownFile = identity }
        if readingRotated, let id = identity, let m = RotatedSiblings.modified(start.path) {
            // The newest copy or rotated file read so far (pending files are read oldest first): what a later look
            // for copies made since starts after, so one read from a checkpoint's `later` is not read twice.
            lastCopy = RotatedSiblings.Sibling(path: start.path, identity: id, modified: m)
            readRotated.insert(FollowProgress.FileKey(id))
        }
        fileOffset = start.offset <= size() ? start.offset : 0
        if let expected = start.identity, start.path == path, !expected.matches(fd: f) { fileOffset = 0 }
        _ = lseek(fd, off_t(fileOffset), SEEK_SET)
        head = []
        // What was read before the offset, when a checkpoint says (else from the next read on).
        tail =
            fileOffset > 0 && fileOffset == start.offset && Self.holds(f, start.tail, endingAt: fileOffset)
            ? start.tail : []
        noteHead()
        // The path from its start: what it comes after, should it be known only empty at a commit.
        let after = readingRotated || fileOffset > 0 ? nil : renamedAway ?? lastCopy
        renamedAway = nil
        progress.startSegment(
            input: input, at: cumulative, identity: identity, fileOffset: fileOffset, copiedAfter: after,
            startedAt: opening)
        if !tail.isEmpty { progress.mark(input: input, ReadMark(offset: fileOffset, bytes: tail)) }
        return true
    }

    /// True when a pending start at the path's beginning names the path's own file by first bytes that the copy
    /// read last starts with too (every generation starts alike: a long constant prefix): they cannot tell
    /// whether the path was copy-truncated since the start was named.
    private static func startsAlike(_ identity: FileIdentity?, _ last: RotatedSiblings.Sibling, path: String) -> Bool {
        guard let identity, identity.fingerprintLength > 0, let now = deviceAndInode(of: path),
            now.device == identity.device, now.inode == identity.inode
        else { return false }
        return starts(last.path, as: identity) && identity.matches(path: path)
    }

    /// True when a pending start at the path's beginning is the path as a copy-truncate left it: no identity, or
    /// the path's own file while it was known only empty (a commit's later entry). One with first bytes of its own
    /// is found again by them.
    private static func isFreshStart(_ identity: FileIdentity?, of path: String) -> Bool {
        guard let identity else { return true }
        guard identity.fingerprintLength == 0, let now = deviceAndInode(of: path) else { return false }
        return now.device == identity.device && now.inode == identity.inode
    }

    /// Reads the file's first bytes into `head` and refines the segment's fingerprint with them (a file
    /// opened empty has none until it grows).
    private mutating func noteHead() {
        var bytes = [UInt8](repeating: 0, count: FileIdentity.fingerprintSpan)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, FileIdentity.fingerprintSpan, 0) }
        guard n > head.count else { return }
        head = Array(bytes[..<n])
        if var id = identity {
            id.fingerprint = FileIdentity.fnv(head[...])
            id.fingerprintLength = n
            identity = id
            progress.refine(input: input, identity: id)
        }
    }

    /// The file beside `path`, other than it, that starts with `head` and holds more than `length` bytes: the
    /// copy a copy-truncate rotation made.
    static func copy(
        of path: String, startingWith head: [UInt8], longerThan length: Int64, holding tail: [UInt8] = [],
        endingAt offset: Int64 = 0
    ) -> RotatedSiblings.Sibling? {
        guard !head.isEmpty else { return nil }
        // Of copies of generations that all start alike, the one that holds what was read before `offset`; else
        // (none does) the first that starts alike.
        var startsAlike: RotatedSiblings.Sibling?
        for candidate in siblings(of: path) where size(of: candidate) > length {
            var holdsTail = false
            if let found = checked(
                candidate,
                { fd in
                    guard Self.holds(fd, head, endingAt: Int64(head.count)) else { return false }
                    holdsTail = Self.holds(fd, tail, endingAt: offset)
                    return true
                })
            {
                if holdsTail { return found }
                startsAlike = startsAlike ?? found
            }
        }
        return startsAlike
    }

    /// `candidate` as a sibling (identity and modification time from the descriptor `matches` read), when
    /// `matches` says it is the one: a rotation that reuses its name right after is not taken for it.
    private static func checked(_ candidate: String, _ matches: (Int32) -> Bool) -> RotatedSiblings.Sibling? {
        reading(candidate) { fd in
            var st = stat()
            guard fstat(fd, &st) == 0, matches(fd), let id = FileIdentity.of(fd: fd) else { return nil }
            return RotatedSiblings.Sibling(path: candidate, identity: id, modified: modified(st))
        }
    }

    /// The file beside `path`, other than it, whose first bytes have `identity`'s fingerprint and that
    /// holds at least `length` bytes.
    static func copy(
        of path: String, fingerprint identity: FileIdentity, longerThan length: Int64, holding tail: [UInt8] = []
    ) -> RotatedSiblings.Sibling? {
        // Of generations that all start alike, the one holding what was read before the offset; else (none does:
        // the saved bytes may be a later generation's) the first that starts alike.
        var startsAlike: RotatedSiblings.Sibling?
        for candidate in siblings(of: path) where size(of: candidate) >= length {
            var holdsTail = false
            if let found = checked(
                candidate,
                { fd in
                    var bytes = [UInt8](repeating: 0, count: identity.fingerprintLength)
                    let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, identity.fingerprintLength, 0) }
                    guard n == identity.fingerprintLength && FileIdentity.fnv(bytes[...]) == identity.fingerprint
                    else { return false }
                    holdsTail = Self.holds(fd, tail, endingAt: length)
                    return true
                })
            {
                if holdsTail { return found }
                startsAlike = startsAlike ?? found
            }
        }
        return startsAlike
    }

    /// Regular files in `path`'s directory other than `path`, sorted.
    static func siblings(of path: String) -> [String] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        let dir = parts.dropLast().joined(separator: "/")
        let base = dir.isEmpty ? "." : dir
        let own = String(parts.last ?? "")
        guard let d = opendir(base) else { return [] }
        defer { closedir(d) }
        var out: [String] = []
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard name != ".", name != "..", name != own, entry.pointee.d_type == DT_REG else { continue }
            out.append(dir.isEmpty ? name : dir + "/" + name)
        }
        return out.sorted()
    }

    /// The device and inode `path` names now (a stat, no read: this is asked at every look at a file's end).
    private static func deviceAndInode(of path: String) -> (device: UInt64, inode: UInt64)? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return (UInt64(st.st_dev), UInt64(st.st_ino))
    }

    private static func size(of path: String) -> Int64 {
        var st = stat()
        return stat(path, &st) == 0 ? Int64(st.st_size) : 0
    }

    /// True when `identity`'s file is at `path` or beside it (not deleted since). A file at the path under its inode
    /// that no longer starts as it did and has no copy beside it is another file that took the freed inode (see
    /// `FollowedFiles.takenOver`).
    private static func exists(_ identity: FileIdentity, at path: String) -> Bool {
        if let current = FileIdentity.of(path: path), current.device == identity.device,
            current.inode == identity.inode
        {
            return identity.fingerprintLength == 0 || unchanged(identity, now: current, at: path)
                || copy(of: path, fingerprint: identity, longerThan: 0) != nil
        }
        return sibling(of: path, identity: identity) != nil
    }

    /// The file beside `path` with the given device and inode (where a rotation renamed it), if any.
    static func sibling(of path: String, identity: FileIdentity) -> String? {
        // A stat per file, no read: a directory of 10,000 followed files is looked through at each rotation.
        siblings(of: path).first { candidate in
            guard let id = deviceAndInode(of: candidate) else { return false }
            return id.device == identity.device && id.inode == identity.inode
        }
    }

    private func size() -> Int64 {
        var st = stat()
        return fstat(fd, &st) == 0 ? Int64(st.st_size) : 0
    }
}
