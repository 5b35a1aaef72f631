/// A followed run's commits: rebuilds the correlator from the checkpoint it resumes from, and at each commit
/// point makes the checkpoint that says where every input is to be read again from, which groups are open with
/// which records, and the counts so far. The outputs it depends on are fsynced before it is saved.
struct Checkpointer: Sendable {
    /// The checkpoint the run resumed from.
    let resume: Checkpoint
    let names: InputNames
    let files: FollowProgress
    let options: PipelineOptions
    let tails = CommitTails()

    /// Puts the saved groups back into `correlator`, their records re-parsed from their own lines; records of
    /// a file no longer followed (its pattern was dropped) belong to input -1.
    func restore(_ correlator: inout Correlator, paths: [Int32: String]) {
        var byPath: [String: Int32] = [:]
        for (i, p) in paths { byPath[p] = i }
        var snapshot = CorrelatorSnapshot(maxTime: resume.maxTime, groups: [], closed: [])
        for g in resume.groups {
            let records = g.records.compactMap { r -> LogRecord? in
                var record = RecordReplay.rebuild(
                    r, input: byPath[r.path] ?? -1, fileService: InputSpec(path: r.path).fileService,
                    options: options.parse)
                record?.nameKey = RecordMerger.nameKey(r.path)
                return record
            }
            snapshot.groups.append(.init(flags: EventFlags(rawValue: g.flags), part: g.part, records: records))
        }
        snapshot.closed = resume.closed.map { ($0.id, $0.end, EventFlags(rawValue: $0.flags)) }
        correlator.restore(snapshot)
    }

    /// The checkpoint for the state now: the merge's resume point per input, the correlator's open groups.
    /// Its output lengths and event counts are filled in by the sink stage once those are durable. Nil when an
    /// input's point moved to where its files cannot tell (no commit then: the last one stands).
    func checkpoint(merger: inout RecordMerger, correlator: Correlator, paths: [Int32: String]) -> Checkpoint? {
        var c = resume
        c.sequence = merger.nextSequence
        let snap = correlator.snapshot()
        c.maxTime = snap.maxTime
        c.groups = snap.groups.map { g in
            Checkpoint.SavedGroup(flags: g.flags.rawValue, part: g.part, records: g.records.map(saved))
        }
        c.closed = snap.closed.suffix(4096).map { .init(id: $0.id, end: $0.end, flags: $0.flags.rawValue) }

        for i in 0..<Int32(merger.inputCount) {
            let (point, pending, held) = merger.commitPoint(i, maxSavedBytes: Self.maxSavedBytes)
            guard let path = paths[i] else { continue }
            guard let (identity, fileOffset, later) = files.locate(input: i, position: point.offset) else {
                // Nothing read from its files yet (or a file gone since the last run, its saved records only):
                // the resumed entry stands, with what of its saved records is still unmerged.
                if var e = c.entries[path], point.offset == e.offset {
                    e.pending = pending.map(saved)
                    e.held = held.map(saved)
                    c.entries[path] = e
                } else if point.offset != (c.entries[path]?.offset ?? 0) {
                    // Records taken past the saved offset, in no file known: saving the outputs with the old
                    // offset would have a restart write them again.
                    return nil
                }
                continue
            }
            var e = Checkpoint.Entry(
                path: path, identity: identity, fileOffset: fileOffset, offset: point.offset, line: point.line)
            e.later = later
            // Read from the file that still holds what the reader read last; when none does, what the resumed entry
            // said of the same point (read from the file before a copy-truncate wrote it again), else nothing.
            let resumed = resume.entries[path].flatMap {
                FollowProgress.FileKey($0.identity) == FollowProgress.FileKey(identity) && $0.fileOffset == fileOffset
                    ? $0.tail : nil
            }
            e.tail =
                tails.bytes(
                    before: fileOffset, in: identity, path: path, mark: files.mark(input: i, position: point.offset))
                ?? resumed ?? []
            if identity.fingerprintLength == 0 {
                // Known only empty: the copies made since the reader found it so are its lines (kept from the
                // resumed checkpoint while the committed point has not moved; the discovery time of a new file).
                let old = resume.entries[path]
                let same =
                    old.map {
                        $0.identity.fingerprintLength == 0 && $0.offset == point.offset
                            && FollowProgress.FileKey($0.identity) == FollowProgress.FileKey(identity)
                    } ?? false
                if same, let old, old.emptySince != nil {
                    (e.emptySince, e.emptyAfter) = (old.emptySince, old.emptyAfter)
                } else if let after = files.copiedAfter(input: i, position: point.offset) {
                    // Found empty right after reading copies: the ones made after the newest of them.
                    (e.emptySince, e.emptyAfter) = (after.modified, after.identity)
                } else {
                    e.emptySince = files.startedAt(input: i, position: point.offset) ?? files.emptySince(input: i)
                }
            } else if fileOffset == 0 {
                // At the start of a file read after copies of the path, nothing of it taken: when every generation
                // starts alike (a long constant prefix) its first bytes cannot tell a copy-truncate since, so a
                // restart reads the copies made after the newest one read first, as for a file known only empty.
                let old = resume.entries[path]
                if let after = files.copiedAfter(input: i, position: point.offset) {
                    (e.emptySince, e.emptyAfter) = (after.modified, after.identity)
                } else if let old, old.fileOffset == 0, old.emptyAfter != nil,
                    FollowProgress.FileKey(old.identity) == FollowProgress.FileKey(identity)
                {
                    (e.emptySince, e.emptyAfter) = (old.emptySince, old.emptyAfter)
                }
            }
            e.reference = merger.reference(i)
            e.inheritedTime = merger.inheritedTime(before: point, of: i)
            e.deadLettersThrough = max(resume.entries[path]?.deadLettersThrough ?? -1, merger.deadLettersThrough(i))
            e.counts = merger.counts(before: point, of: i)
            e.pending = pending.map(saved)
            e.held = held.map(saved)
            c.entries[path] = e
        }
        // Files read that no entry names: a later name for one (a rotation while the follower is down, a copy)
        // is passed over on resume as it is in this run.
        // (An entry's file may be listed still with the head it had before a copy-truncate: its copies have it.)
        let named = c.entries.values.flatMap { [$0.identity] + $0.later }
        c.read = files.filesRead().filter { !named.contains($0) }.suffix(Self.readKept)
        return c
    }

    /// The most bytes of lines one input's commit saves of records the merge holds back (beyond, they are
    /// read again from the file).
    static let maxSavedBytes = 1 << 20

    /// The most files a commit keeps as read (`Checkpoint.read`), the latest.
    static let readKept = 256

    /// A record as a checkpoint keeps it: its own lines and where, when and in which order it came.
    private func saved(_ r: LogRecord) -> Checkpoint.SavedRecord {
        Checkpoint.SavedRecord(
            path: names.name(of: r.position.input), line: r.position.line, offset: r.position.offset,
            sequence: r.sequence, time: r.time, timeKnown: r.timeKnown, clockSkewed: r.clockSkewed,
            statedTime: r.statedTime, raw: r.raw ?? [])
    }

    /// Input `index`'s saved records (`entry.pending`, `entry.held`), parsed again as it had them.
    func rebuild(_ entry: Checkpoint.Entry?, input index: Int32) -> (pending: [LogRecord], held: [LogRecord]) {
        guard let entry else { return ([], []) }
        let service = InputSpec(path: entry.path).fileService
        func replay(_ list: [Checkpoint.SavedRecord]) -> [LogRecord] {
            list.compactMap { RecordReplay.rebuild($0, input: index, fileService: service, options: options.parse) }
        }
        return (replay(entry.pending), replay(entry.held))
    }

    /// True when a resumed run already wrote this dead letter before its checkpoint.
    func alreadyWritten(_ d: DeadLetter, path: String?) -> Bool {
        guard let path, let through = resume.entries[path]?.deadLettersThrough else { return false }
        return d.position.offset <= through
    }
}
