#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a `--follow` run has finished with: for each followed path, the file it was in (identity) and the
/// offset before which every line is in an event already written, plus how long the output was then.
/// Saved as `checkpoint.json` in the checkpoint directory, atomically (temp file, fsync, rename, fsync dir).
public struct Checkpoint: Sendable, Equatable {
    /// One followed path's committed position.
    public struct Entry: Sendable, Equatable {
        public var path: String
        public var identity: FileIdentity
        /// Offset in the file named by `identity`.
        public var fileOffset: Int64
        /// Stream offset (cumulative over rotations) and line number at that point.
        public var offset: Int64
        public var line: Int64
        /// The input's last accepted event time (its `SkewGuard` reference).
        public var reference: Int64? = nil
        /// The time of the last timed line before `offset`, as read (an untimed line after it takes it): what a
        /// resumed input's first untimed lines inherit, as they would have in one uninterrupted read.
        public var inheritedTime: Int64? = nil
        /// Dead letters at or before this offset are in the dead-letter file already.
        public var deadLettersThrough: Int64 = -1
        /// Line counts of everything before `offset`.
        public var counts = LineCounts()
        /// Files the path named after the one holding `offset` (rename rotations), in order: read from their
        /// start, after it and before the path's current file.
        public var later: [FileIdentity] = []
        /// Set while the follower has known the file only empty (no fingerprint): when it first saw it so, UTC
        /// nanoseconds. Copies a copy-truncate made of the path since then are read on resume, before the path.
        /// Also set, with `emptyAfter`, for the path at offset 0 read after copies of it (nothing of it taken yet):
        /// its first bytes may be those of every generation and cannot tell a copy-truncate since.
        public var emptySince: Int64? = nil
        /// Set with `emptySince` when the follower found the file empty right after reading rotated files or
        /// copies of the path: the newest of them (device and inode; `emptySince` is then its modification time).
        /// Only the copies made after it are read on resume.
        public var emptyAfter: FileIdentity? = nil
        /// The last bytes before `fileOffset` in its file (up to 64): a file copy-truncated and written past the
        /// offset while the follower was down no longer holds them there, though it may start as it did.
        public var tail: [UInt8] = []
        /// Records read before `offset` that the merge had not handed on yet, in order: merged first on resume.
        public var pending: [SavedRecord] = []
        /// Records read before `offset` that the input's skew guard held back, in order: held again on resume.
        public var held: [SavedRecord] = []
    }

    /// A record of an open group: its own lines and where, when and in which order it came.
    public struct SavedRecord: Sendable, Equatable {
        public var path: String
        public var line: Int64
        public var offset: Int64
        public var sequence: Int64
        public var time: Int64
        public var timeKnown: Bool
        public var clockSkewed: Bool
        public var statedTime: Int64?
        public var raw: [UInt8]
    }

    /// An open group: its flags and part, and its records in the order they came.
    public struct SavedGroup: Sendable, Equatable {
        public var flags: UInt8
        public var part: Int32
        public var records: [SavedRecord]
    }

    /// A recently closed request id.
    public struct SavedClosedID: Sendable, Equatable {
        public var id: String
        public var end: Int64
        public var flags: UInt8
    }

    /// The events counted so far (they add up across restarts).
    public struct EventCounts: Sendable, Equatable {
        public var events: Int64 = 0
        public var written: Int64 = 0
        public var partial: Int64 = 0
        public var late: Int64 = 0
        public var uncorrelated: Int64 = 0
        public var split: Int64 = 0

        /// These counts with a run's added (what a commit saves).
        func adding(_ s: RunStats) -> EventCounts {
            var c = self
            c.events += s.events
            c.written += s.written
            c.partial += s.partial
            c.late += s.late
            c.uncorrelated += s.uncorrelated
            c.split += s.split
            return c
        }

        /// Adds these counts into a run's stats (a resumed run's summary covers the runs before it).
        func add(to s: inout RunStats) {
            let total = adding(s)
            (s.events, s.written, s.partial) = (total.events, total.written, total.partial)
            (s.late, s.uncorrelated, s.split) = (total.late, total.uncorrelated, total.split)
        }
    }

    /// Committed positions by path.
    public var entries: [String: Entry] = [:]
    /// Output file length when committed: a resumed run cuts the file back to it and writes what follows again.
    public var outputBytes: Int64 = 0
    /// Dead-letter file length when committed (cut back to it on resume, like the output).
    public var deadLetterBytes: Int64 = 0
    /// The events file the commits measure (resolved): a run resumed into another file would cut that one.
    public var outputPath: String?
    /// Merge order of the next record.
    public var sequence: Int64 = 0
    /// The highest event time seen.
    public var maxTime: Int64?
    /// Open groups, least recently seen first.
    public var groups: [SavedGroup] = []
    /// Recently closed request ids, oldest first.
    public var closed: [SavedClosedID] = []
    /// Files the follower read that no entry names (rotated away, or its paths' earlier files), most recent
    /// last: found under a new name (a followed directory, `app.log*`), one is not read again.
    public var read: [FileIdentity] = []
    /// Events counted before the commit.
    public var events = EventCounts()
    /// When the follower first pinned its files (UTC nanoseconds): a file's rotations written since then, for a
    /// path no commit has named yet, are its own lines not read yet.
    public var followingSince: Int64?
    /// True when read from a checkpoint file (false: the run starts afresh).
    public var exists = false

    /// Creates an empty checkpoint.
    public init() {}

    /// Moves what is kept under `old` (its entry and its saved records) to `new`: the same file, named another
    /// way by this run's patterns.
    mutating func rename(_ old: String, to new: String) {
        guard var e = entries.removeValue(forKey: old) else { return }
        e.path = new
        for r in e.pending.indices { e.pending[r].path = new }
        for r in e.held.indices { e.held[r].path = new }
        entries[new] = e
        for g in groups.indices {
            for r in groups[g].records.indices where groups[g].records[r].path == old {
                groups[g].records[r].path = new
            }
        }
    }

    /// The checkpoint file in `directory`.
    public static func path(in directory: String) -> String { directory + "/checkpoint.json" }

    /// Reads the checkpoint in `directory`; an empty one when there is none yet.
    public static func load(from directory: String) throws(OutputError) -> Checkpoint {
        let file = path(in: directory)
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return Checkpoint() }
            throw OutputError(path: file, message: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[..<n])
        }
        let value: JSONValue? = bytes.withUnsafeBufferPointer { b in
            var scanner = JSONScanner(b, maxDepth: 16)
            return try? scanner.parseValue(depth: 0)
        }
        guard let value, let c = Self(value) else {
            throw OutputError(path: file, message: "not a checkpoint written by auditpipe")
        }
        return c
    }

    /// Reads a checkpoint from its JSON form; nil when it is not one.
    init?(_ value: JSONValue) {
        func int(_ v: JSONValue?, _ k: String) -> Int64? { v?[k]?.scalarText.flatMap { Int64($0) } }
        func identity(_ f: JSONValue) -> FileIdentity? {
            guard let dev = int(f, "device"), let ino = int(f, "inode"),
                let fp = f["fingerprint"]?.scalarText.flatMap({ UInt64($0, radix: 16) }),
                let fpLength = int(f, "fingerprint_length")
            else { return nil }
            return FileIdentity(
                device: UInt64(bitPattern: dev), inode: UInt64(bitPattern: ino), fingerprint: fp,
                fingerprintLength: Int(fpLength))
        }
        func list(_ k: String) -> [JSONValue] {
            if case .array(let items)? = value[k] { return items }
            return []
        }
        guard case .array(let items)? = value["inputs"], let outputBytes = int(value, "output_bytes") else {
            return nil
        }
        self.init()
        exists = true
        self.outputBytes = outputBytes
        deadLetterBytes = int(value, "dead_letter_bytes") ?? 0
        outputPath = value["output_path"]?.scalarText
        sequence = int(value, "sequence") ?? 0
        maxTime = int(value, "max_time")
        followingSince = int(value, "following_since")
        for item in items {
            guard let p = item["path"]?.scalarText, let dev = int(item, "device"), let ino = int(item, "inode"),
                let fp = item["fingerprint"]?.scalarText.flatMap({ UInt64($0, radix: 16) }),
                let fpLength = int(item, "fingerprint_length"), let fileOffset = int(item, "file_offset"),
                let offset = int(item, "offset"), let line = int(item, "line")
            else { return nil }
            var e = Entry(
                path: p,
                identity: FileIdentity(
                    device: UInt64(bitPattern: dev), inode: UInt64(bitPattern: ino), fingerprint: fp,
                    fingerprintLength: Int(fpLength)),
                fileOffset: fileOffset, offset: offset, line: line)
            e.reference = int(item, "reference")
            e.inheritedTime = int(item, "inherited_time")
            e.deadLettersThrough = int(item, "dead_letters_through") ?? -1
            e.counts.linesRead = int(item, "lines_read") ?? 0
            e.counts.recordLines = int(item, "record_lines") ?? 0
            e.counts.records = int(item, "records") ?? 0
            e.counts.deadLettered = int(item, "dead_lettered") ?? 0
            e.counts.blank = int(item, "blank") ?? 0
            e.counts.bytes = int(item, "bytes") ?? 0
            e.counts.unreadableTimes = int(item, "unreadable_times") ?? 0
            if case .array(let counts)? = item["pattern_records"] {
                e.counts.patternRecords = counts.map { $0.scalarText.flatMap { Int64($0) } ?? 0 }
            }
            e.emptySince = int(item, "empty_since")
            if let t = item["tail"]?.scalarText, let bytes = Hex.decode(t) { e.tail = bytes }
            if let dev = int(item, "empty_after_device"), let ino = int(item, "empty_after_inode") {
                e.emptyAfter = FileIdentity(
                    device: UInt64(bitPattern: dev), inode: UInt64(bitPattern: ino), fingerprint: 0,
                    fingerprintLength: 0)
            }
            if case .array(let files)? = item["later"] {
                for f in files {
                    guard let id = identity(f) else { return nil }
                    e.later.append(id)
                }
            }
            guard let pending = Self.records(item["pending"]), let held = Self.records(item["held"]) else {
                return nil
            }
            (e.pending, e.held) = (pending, held)
            entries[p] = e
        }
        for g in list("groups") {
            guard let records = Self.records(g["records"]) else { return nil }
            groups.append(
                SavedGroup(
                    flags: UInt8(truncatingIfNeeded: int(g, "flags") ?? 0),
                    part: Int32(truncatingIfNeeded: int(g, "part") ?? 0), records: records))
        }
        for f in list("read") {
            guard let id = identity(f) else { return nil }
            read.append(id)
        }
        for c in list("closed") {
            guard let id = c["id"]?.scalarText, let end = int(c, "end") else { return nil }
            closed.append(SavedClosedID(id: id, end: end, flags: UInt8(truncatingIfNeeded: int(c, "flags") ?? 0)))
        }
        let ev = value["events"]
        events = EventCounts(
            events: int(ev, "events") ?? 0, written: int(ev, "written") ?? 0, partial: int(ev, "partial") ?? 0,
            late: int(ev, "late") ?? 0, uncorrelated: int(ev, "uncorrelated") ?? 0, split: int(ev, "split") ?? 0)
    }

    /// Saved records from their JSON form (none when absent); nil when one is not a saved record.
    private static func records(_ value: JSONValue?) -> [SavedRecord]? {
        guard case .array(let recs)? = value else { return value == nil ? [] : nil }
        func int(_ v: JSONValue?, _ k: String) -> Int64? { v?[k]?.scalarText.flatMap { Int64($0) } }
        var records: [SavedRecord] = []
        for r in recs {
            guard let p = r["path"]?.scalarText, let line = int(r, "line"), let offset = int(r, "offset"),
                let seq = int(r, "sequence"), let time = int(r, "time"),
                let raw = r["raw"]?.scalarText.flatMap(Hex.decode)
            else { return nil }
            records.append(
                SavedRecord(
                    path: p, line: line, offset: offset, sequence: seq, time: time,
                    timeKnown: r["time_known"]?.scalarText == "true",
                    clockSkewed: r["clock_skewed"]?.scalarText == "true", statedTime: int(r, "stated_time"),
                    raw: raw))
        }
        return records
    }

    /// Writes the checkpoint into `directory` so that a crash leaves the old one or the new one whole.
    public func save(in directory: String) throws(OutputError) {
        var w = JSONWriter(capacity: 4096)
        func field(_ k: String, _ v: Int64?) {
            w.raw(",")
            w.string(k)
            w.raw(":")
            if let v { w.int(Int(v)) } else { w.raw("null") }
        }
        func records(_ list: [SavedRecord]) {
            w.raw("[")
            for (j, r) in list.enumerated() {
                if j > 0 { w.raw(",") }
                w.raw("{")
                w.key("path")
                w.string(r.path)
                field("line", r.line)
                field("offset", r.offset)
                field("sequence", r.sequence)
                field("time", r.time)
                field("stated_time", r.statedTime)
                w.raw(",")
                w.key("time_known")
                w.raw(r.timeKnown ? "true" : "false")
                w.raw(",")
                w.key("clock_skewed")
                w.raw(r.clockSkewed ? "true" : "false")
                w.raw(",")
                w.key("raw")
                w.string(Hex.encode(r.raw))
                w.raw("}")
            }
            w.raw("]")
        }
        func identity(_ f: FileIdentity) {
            w.raw("{")
            w.key("device")
            w.int(Int(Int64(bitPattern: f.device)))
            field("inode", Int64(bitPattern: f.inode))
            field("fingerprint_length", Int64(f.fingerprintLength))
            w.raw(",")
            w.key("fingerprint")
            w.string(String(f.fingerprint, radix: 16))
            w.raw("}")
        }
        w.raw("{")
        w.key("version")
        w.int(2)
        field("output_bytes", outputBytes)
        field("dead_letter_bytes", deadLetterBytes)
        if let outputPath {
            w.raw(",")
            w.key("output_path")
            w.string(outputPath)
        }
        field("sequence", sequence)
        field("max_time", maxTime)
        if let followingSince { field("following_since", followingSince) }
        w.raw(",")
        w.key("inputs")
        w.raw("[")
        for (i, e) in entries.values.sorted(by: { $0.path < $1.path }).enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("{")
            w.key("path")
            w.string(e.path)
            for (k, v) in [
                ("device", Int64(bitPattern: e.identity.device)), ("inode", Int64(bitPattern: e.identity.inode)),
                ("fingerprint_length", Int64(e.identity.fingerprintLength)), ("file_offset", e.fileOffset),
                ("offset", e.offset), ("line", e.line), ("dead_letters_through", e.deadLettersThrough),
                ("lines_read", e.counts.linesRead), ("record_lines", e.counts.recordLines),
                ("records", e.counts.records), ("dead_lettered", e.counts.deadLettered), ("blank", e.counts.blank),
                ("bytes", e.counts.bytes),
            ] {
                field(k, v)
            }
            field("reference", e.reference)
            if let t = e.inheritedTime { field("inherited_time", t) }
            if let since = e.emptySince { field("empty_since", since) }
            if !e.tail.isEmpty {
                w.raw(",")
                w.key("tail")
                w.string(Hex.encode(e.tail))
            }
            if let after = e.emptyAfter {
                field("empty_after_device", Int64(bitPattern: after.device))
                field("empty_after_inode", Int64(bitPattern: after.inode))
            }
            if e.counts.unreadableTimes > 0 { field("unreadable_times", e.counts.unreadableTimes) }
            if !e.counts.patternRecords.isEmpty {
                // Which text pattern made how many records: the summary's split of `records` across restarts.
                w.raw(",")
                w.key("pattern_records")
                w.raw("[")
                for (j, n) in e.counts.patternRecords.enumerated() {
                    if j > 0 { w.raw(",") }
                    w.int(Int(n))
                }
                w.raw("]")
            }
            w.raw(",")
            w.key("fingerprint")
            w.string(String(e.identity.fingerprint, radix: 16))
            if !e.later.isEmpty {
                w.raw(",")
                w.key("later")
                w.raw("[")
                for (j, f) in e.later.enumerated() {
                    if j > 0 { w.raw(",") }
                    identity(f)
                }
                w.raw("]")
            }
            for (k, list) in [("pending", e.pending), ("held", e.held)] where !list.isEmpty {
                w.raw(",")
                w.string(k)
                w.raw(":")
                records(list)
            }
            w.raw("}")
        }
        w.raw("],")
        w.key("groups")
        w.raw("[")
        for (i, g) in groups.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("{")
            w.key("flags")
            w.int(Int(g.flags))
            field("part", Int64(g.part))
            w.raw(",")
            w.key("records")
            records(g.records)
            w.raw("}")
        }
        w.raw("],")
        if !read.isEmpty {
            w.key("read")
            w.raw("[")
            for (i, f) in read.enumerated() {
                if i > 0 { w.raw(",") }
                identity(f)
            }
            w.raw("],")
        }
        w.key("closed")
        w.raw("[")
        for (i, c) in closed.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("{")
            w.key("id")
            w.string(c.id)
            field("end", c.end)
            field("flags", Int64(c.flags))
            w.raw("}")
        }
        w.raw("],")
        w.key("events")
        w.raw("{")
        w.key("events")
        w.int(Int(events.events))
        field("written", events.written)
        field("partial", events.partial)
        field("late", events.late)
        field("uncorrelated", events.uncorrelated)
        field("split", events.split)
        w.raw("}}\n")
        try AtomicFile.write(w.bytes, to: Self.path(in: directory))
    }
}

/// Writes a file so a crash leaves either its old content or the new one: temp file in the same directory,
/// fsync, rename over the target, fsync the directory.
enum AtomicFile {
    /// Writes `bytes` to `path` atomically; with `crashMidway`, a crash test may stop it half-way through.
    static func write(_ bytes: [UInt8], to path: String, crashMidway: Bool = false) throws(OutputError) {
        let temp = path + ".tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputError(path: temp, message: String(cString: strerror(errno))) }
        var done = 0
        while done < bytes.count {
            let chunk = crashMidway && done == 0 ? max(1, bytes.count / 2) : bytes.count - done
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, chunk) }
            if crashMidway && done == 0 && n > 0 { CrashPoint.reached("half a file written") }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let e = errno
                close(fd)
                throw OutputError(path: temp, message: "write failed: \(String(cString: strerror(e)))")
            }
            done += n
        }
        guard fsync(fd) == 0, close(fd) == 0 else {
            throw OutputError(path: temp, message: "fsync failed: \(String(cString: strerror(errno)))")
        }
        guard rename(temp, path) == 0 else {
            throw OutputError(path: path, message: "rename failed: \(String(cString: strerror(errno)))")
        }
        syncDirectory(path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/"))
    }

    /// fsyncs a directory, so a rename or unlink in it is durable.
    static func syncDirectory(_ dir: String) {
        let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }
}
