#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `correlate --follow`: follows files as `tail -F` does (rotation by rename or copy-truncate) and picks up
/// new files matching the patterns, merging their records by event time as a batch run does (a quiet file
/// is left out of the merge until it writes again), so the events are those of a batch run over the same
/// bytes whenever no file pauses for longer than the idle gap.
///
/// With a checkpoint directory it commits, at least every second (or every 4 MiB) on a busy stream, after
/// the events and dead letters before it are written and fsynced: each file's identity and the offset of
/// its first record not yet handed to the correlator, the open groups with their records, the recently
/// closed ids and every count. A run resumed after a crash cuts the outputs back to their committed length,
/// rebuilds the correlator exactly and reads on from those offsets: every line ends up in one event
/// written once, and the counts add up across restarts.
public struct FollowPipeline: Sendable {
    /// Paths, directories and glob patterns to follow.
    public let patterns: [String]
    /// Run settings (`live` is implied).
    public let options: PipelineOptions
    /// Where the checkpoint lives; nil runs without one.
    public let checkpointDirectory: String?
    /// Names of the inputs followed so far, by index.
    public let names = InputNames([])
    /// A commit at least this often (ns) while records flow (and one as soon as the first have).
    public var commitInterval: Int64 = 500_000_000
    /// A commit at least every this many bytes read.
    public var commitBytes: Int64 = 4 << 20

    /// Creates a follow run.
    public init(patterns: [String], options: PipelineOptions, checkpointDirectory: String?) {
        self.patterns = patterns
        var live = options
        live.live = true
        live.correlation.retainRecords = checkpointDirectory != nil
        self.options = live
        self.checkpointDirectory = checkpointDirectory
    }

    /// What a checkpointed run needs from its outputs: flush and fsync the events (returning their length)
    /// and the dead letters (returning theirs).
    public struct Durability: Sendable {
        /// Flushes and fsyncs the events output; returns its length.
        public var syncEvents: @Sendable () throws(OutputError) -> Int64
        /// Flushes and fsyncs the dead-letter output; returns its length (0 when there is none).
        public var syncDeadLetters: @Sendable () throws(OutputError) -> Int64

        /// Creates the callbacks.
        public init(
            syncEvents: @escaping @Sendable () throws(OutputError) -> Int64,
            syncDeadLetters: @escaping @Sendable () throws(OutputError) -> Int64
        ) {
            self.syncEvents = syncEvents
            self.syncDeadLetters = syncDeadLetters
        }
    }

    /// A commit point on its way from the correlate stage to the sink stage.
    struct Commit: Sendable {
        var checkpoint: Checkpoint
    }

    /// Runs until a stop is requested (a signal): resumes from `checkpoint` (whose outputs the caller has cut
    /// back to their committed lengths), and at each commit point makes the outputs durable before saving.
    public func run(
        sink: any EventSink, checkpoint: Checkpoint, durability: Durability, control: RunControl,
        deadLetter: @escaping @Sendable (DeadLetter) throws(OutputError) -> Void
    ) async throws(OutputError) -> RunStats {
        let options = self.options
        let names = self.names
        let progress = FollowProgress()
        let registry = FollowRegistry()
        let closedChannel = BoundedChannel<([GroupAccumulator], Commit?)>(capacity: 2)
        let outputChannel = BoundedChannel<(kept: [AuditEvent], all: [AuditEvent], Commit?)>(capacity: 2)
        let enricher = options.enricher(names)
        let sinkBox = UncheckedBox(sink)
        let me = self
        // Pin the identity of every file there now, so a crash before the first commit still finds a file
        // that is rotated away meanwhile.
        var checkpoint = checkpoint
        if let dir = checkpointDirectory {
            let current = Self.paths(matching: patterns)
            for path in current where checkpoint.entries[path] == nil {
                guard let identity = FileIdentity.of(path: path) else { continue }
                // The same file named another way (`logs/a.log` then `/var/app/logs/a.log`): resume it.
                if let old = checkpoint.entries.values.first(where: {
                    $0.identity.device == identity.device && $0.identity.inode == identity.inode
                        && !current.contains($0.path)
                }) {
                    checkpoint.rename(old.path, to: path)
                    continue
                }
                checkpoint.entries[path] = Checkpoint.Entry(
                    path: path, identity: identity, fileOffset: 0, offset: 0, line: 1)
            }
            try checkpoint.save(in: dir)
        }
        let pinned = checkpoint
        // The files there now are registered before the merge starts, so the saved groups find their inputs.
        var known = Set<String>()
        let initial = self.startInputs(
            Self.paths(matching: patterns), known: &known, registry: registry, checkpoint: pinned,
            progress: progress, control: control)
        let alreadyKnown = known

        let result: Result<RunStats, OutputError> = await withTaskGroup(of: StageOutcome.self) { group in
            group.addTask {
                let (counts, errors) = await me.followInputs(
                    initial, known: alreadyKnown, registry: registry, checkpoint: pinned, progress: progress,
                    control: control)
                return .input(counts, errors)
            }
            group.addTask {
                let failure = await me.correlate(
                    registry: registry, into: closedChannel, resume: pinned, progress: progress,
                    durability: durability, deadLetter: deadLetter)
                return .output(failure)
            }
            group.addTask {
                for await (closed, commit) in closedChannel {
                    let events = closed.map(enricher.event(from:))
                    let kept = options.filter.map { f in events.filter { f.matches($0) } } ?? events
                    await outputChannel.send((kept, events, commit))
                }
                outputChannel.finish()
                return .none
            }
            group.addTask {
                // An empty batch to the sink every tick: its flush releases live day files gone idle.
                while !outputChannel.isFinished {
                    try? await Task.sleep(nanoseconds: 100_000_000)
                    await outputChannel.send(([], [], nil))
                }
                return .none
            }
            group.addTask {
                await SinkStage.run(outputChannel, sink: sinkBox, control: control) {
                    batch, stats throws(OutputError) in
                    let (kept, all, commit) = batch
                    all.withUnsafeBufferPointer { buf in for i in buf.indices { stats.count(buf[i]) } }
                    stats.written += Int64(kept.count)
                    if !kept.isEmpty { try sinkBox.value.write(kept) }
                    try sinkBox.value.flush()
                    guard var c = commit?.checkpoint, let dir = me.checkpointDirectory else { return }
                    c.outputBytes = try durability.syncEvents()
                    c.events = pinned.events.adding(stats)
                    try c.save(in: dir)
                }
            }

            return await StageOutcome.gather(&group).map { stats in
                var stats = stats
                stats.inputs = names.all.count
                pinned.events.add(to: &stats)
                for e in pinned.entries.values { stats.lines.add(e.counts) }
                return stats
            }
        }
        return try result.get()
    }

    /// Makes an input stage, with its channel registered for the merge, for each path not yet known.
    private func startInputs(
        _ paths: [String], known: inout Set<String>, registry: FollowRegistry, checkpoint: Checkpoint,
        progress: FollowProgress, control: RunControl
    ) -> [(InputStage, BoundedChannel<RecordBatch>)] {
        var out: [(InputStage, BoundedChannel<RecordBatch>)] = []
        for path in paths where !known.contains(path) {
            known.insert(path)
            let index = names.add(path)
            var stage = InputStage(
                spec: InputSpec(path: path), index: index, options: options.parse, parseWorkers: 1,
                batchBytes: 1 << 20, control: control)
            stage.quietAfter = options.correlation.idle
            stage.wakeups = registry.wakeups
            stage.keepRaw = checkpointDirectory != nil
            stage.follow = Self.start(path: path, checkpoint: checkpoint, progress: progress)
            let channel = BoundedChannel<RecordBatch>(capacity: 2)
            registry.register(channel, index: index, entry: checkpoint.entries[path])
            out.append((stage, channel))
        }
        return out
    }

    /// Runs the initial input stages and, every second until a stop is requested, one for each new file the
    /// patterns match; returns their summed counts and errors.
    private func followInputs(
        _ initial: [(InputStage, BoundedChannel<RecordBatch>)], known: Set<String>, registry: FollowRegistry,
        checkpoint: Checkpoint, progress: FollowProgress, control: RunControl
    ) async -> (LineCounts, [InputError]) {
        await withTaskGroup(of: (LineCounts, InputError?).self) { inputs in
            var known = known
            var started = initial
            repeat {
                for (stage, channel) in started { inputs.addTask { await stage.run(output: channel) } }
                for _ in 0..<10 where !control.isStopRequested { try? await Task.sleep(nanoseconds: 100_000_000) }
                started = startInputs(
                    Self.paths(matching: patterns), known: &known, registry: registry, checkpoint: checkpoint,
                    progress: progress, control: control)
            } while !control.isStopRequested
            registry.close()
            var counts = LineCounts()
            var errors: [InputError] = []
            for await (c, e) in inputs {
                counts.add(c)
                if let e { errors.append(e) }
            }
            return (counts, errors)
        }
    }

    /// Plain paths (followed even before they exist), directory contents and glob matches, sorted.
    static func paths(matching patterns: [String]) -> [String] {
        var out: [String] = []
        for p in patterns {
            if p.contains(where: { "*?[".contains($0) }) || isDirectory(p) {
                out.append(contentsOf: InputSpec.expand([p]).inputs.map(\.path))
            } else {
                out.append(p)
            }
        }
        return out
    }

    private static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Where to resume `path`: at its committed offset in the file the checkpoint names (the follower finds
    /// that file beside the path when a rotation renamed it), or from the start.
    static func start(path: String, checkpoint: Checkpoint, progress: FollowProgress) -> InputStage.FollowStart {
        guard let e = checkpoint.entries[path] else {
            return InputStage.FollowStart(files: [], offset: 0, line: 1, progress: progress)
        }
        return InputStage.FollowStart(
            files: [FollowSource.Start(path: path, offset: e.fileOffset, identity: e.identity)], offset: e.offset,
            line: e.line, progress: progress)
    }

    /// The correlate stage: merges the inputs by event time, correlates, and at commit points hands the
    /// state downstream with the groups closed before it. Resumes from `resume`'s saved state.
    private func correlate(
        registry: FollowRegistry, into output: BoundedChannel<([GroupAccumulator], Commit?)>, resume: Checkpoint,
        progress: FollowProgress, durability: Durability,
        deadLetter: @Sendable (DeadLetter) throws(OutputError) -> Void
    ) async -> OutputError? {
        let options = self.options
        var merger = RecordMerger(channels: [], maxSkew: options.correlation.maxSkew, wakeups: registry.wakeups)
        merger.tracksPositions = true
        merger.nextSequence = resume.sequence
        var correlator = Correlator(options: options.correlation)
        var paths: [Int32: String] = [:]
        var failure: OutputError?
        // Records of a file no longer followed (its pattern was dropped) are re-parsed as input -1.
        var restored = false
        var lastCommit = RunControl.now() - commitInterval
        var bytesAtCommit: Int64 = 0
        let checkpointing = checkpointDirectory != nil
        func onDeadLetter(_ d: DeadLetter) {
            guard failure == nil else { return }
            if let through = resume.entries[paths[d.position.input] ?? ""]?.deadLettersThrough,
                d.position.offset <= through
            {
                return
            }
            do throws(OutputError) { try deadLetter(d) } catch { failure = error }
        }
        func register() {
            for (channel, index, entry) in registry.take() {
                paths[index] = names.name(of: index)
                merger.add(channel, reference: entry?.reference, counts: entry?.counts ?? LineCounts())
            }
        }
        func restore() {
            var byPath: [String: Int32] = [:]
            for (i, p) in paths { byPath[p] = i }
            var snapshot = CorrelatorSnapshot(maxTime: resume.maxTime, groups: [], closed: [])
            for g in resume.groups {
                let records = g.records.compactMap { r -> LogRecord? in
                    let input = byPath[r.path] ?? -1
                    return RecordReplay.rebuild(
                        r, input: input, fileService: InputSpec(path: r.path).fileService, options: options.parse)
                }
                snapshot.groups.append(.init(flags: EventFlags(rawValue: g.flags), part: g.part, records: records))
            }
            snapshot.closed = resume.closed.map { ($0.id, $0.end, EventFlags(rawValue: $0.flags)) }
            correlator.restore(snapshot)
            restored = true
        }
        func commit() -> Commit? {
            guard checkpointing else { return nil }
            var c = resume
            c.sequence = merger.nextSequence
            let snap = correlator.snapshot()
            c.maxTime = snap.maxTime
            c.groups = snap.groups.map { g in
                Checkpoint.SavedGroup(
                    flags: g.flags.rawValue, part: g.part,
                    records: g.records.map { r in
                        Checkpoint.SavedRecord(
                            path: names.name(of: r.position.input), line: r.position.line, offset: r.position.offset,
                            sequence: r.sequence, time: r.time, timeKnown: r.timeKnown, clockSkewed: r.clockSkewed,
                            statedTime: r.statedTime, raw: r.raw ?? [])
                    })
            }
            c.closed = snap.closed.suffix(4096).map { .init(id: $0.id, end: $0.end, flags: $0.flags.rawValue) }
            for i in 0..<Int32(merger.inputCount) {
                let point = merger.resumePoint(i)
                guard let path = paths[i],
                    let (identity, fileOffset) = progress.locate(input: i, position: point.offset)
                else { continue }
                var e = Checkpoint.Entry(
                    path: path, identity: identity, fileOffset: fileOffset, offset: point.offset, line: point.line)
                e.reference = merger.reference(i)
                e.deadLettersThrough = max(
                    resume.entries[path]?.deadLettersThrough ?? -1, merger.deadLettersThrough(i))
                e.counts = merger.counts(before: point, of: i)
                c.entries[path] = e
            }
            do throws(OutputError) {
                c.deadLetterBytes = try durability.syncDeadLetters()
            } catch {
                failure = error
                return nil
            }
            return Commit(checkpoint: c)
        }

        register()
        restore()
        while true {
            register()
            guard
                let step = await merger.next(
                    limit: options.batchRecords, deadLetters: { d in onDeadLetter(d) })
            else {
                if registry.isClosed && !registry.hasPending { break }
                await registry.wakeups.wait()
                continue
            }
            var records = step.records
            records.drainInOrder { correlator.add($0) }
            if step.quiet { correlator.closeQuiet() }
            let closed = correlator.drainClosed()
            let now = RunControl.now()
            var due: Commit?
            if checkpointing
                && (now - lastCommit >= commitInterval || merger.bytesConsumed - bytesAtCommit >= commitBytes)
            {
                due = commit()
                lastCommit = now
                bytesAtCommit = merger.bytesConsumed
            }
            if !closed.isEmpty || due != nil { await output.send((closed, due)) }
        }
        repeat {
            correlator.finish(limit: options.batchRecords)
            let closed = correlator.drainClosed()
            if !closed.isEmpty { await output.send((closed, nil)) }
        } while correlator.openGroups > 0
        await output.send(([], commit()))
        output.finish()
        return failure
    }
}
