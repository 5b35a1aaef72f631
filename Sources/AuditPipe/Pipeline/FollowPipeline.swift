#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `correlate --follow`: follows files as `tail -F` does (rotation by rename or copy-truncate) and picks up
/// new files matching the patterns, correlating lines as they come, in arrival order. With a checkpoint
/// directory it commits, whenever no group is open and the events so far are written and fsynced, each
/// file's identity and offset; a run resumed after a crash starts there and skips the events it finds
/// already written after the commit, so no line is lost and no event written twice.
public struct FollowPipeline: Sendable {
    /// Paths, directories and glob patterns to follow.
    public let patterns: [String]
    /// Run settings (`live` is implied).
    public let options: PipelineOptions
    /// Where the checkpoint lives; nil runs without one.
    public let checkpointDirectory: String?
    /// Names of the inputs followed so far, by index.
    public let names = InputNames([])

    /// Creates a follow run.
    public init(patterns: [String], options: PipelineOptions, checkpointDirectory: String?) {
        self.patterns = patterns
        var live = options
        live.live = true
        self.options = live
        self.checkpointDirectory = checkpointDirectory
    }

    /// Runs until a stop is requested (a signal): resumes from `checkpoint`, skips events whose ids are in
    /// `skip`, and after each commit point calls `syncOutput` (flush + fsync, returning the output length)
    /// before saving the checkpoint.
    public func run(
        sink: any EventSink, checkpoint: Checkpoint, skip: Set<String>,
        syncOutput: @escaping @Sendable () throws(OutputError) -> Int64, control: RunControl,
        deadLetter: @escaping @Sendable (DeadLetter) throws(OutputError) -> Void
    ) async throws(OutputError) -> RunStats {
        let options = self.options
        let names = self.names
        let progress = FollowProgress()
        let fanIn = BoundedChannel<RecordBatch>(capacity: 4)
        let closedChannel = BoundedChannel<([GroupAccumulator], [Int32: SourcePosition]?)>(capacity: 2)
        let outputChannel = BoundedChannel<(kept: [AuditEvent], all: [AuditEvent], [Int32: SourcePosition]?)>(
            capacity: 2)
        let enricher = options.enricher(names)
        let sinkBox = UncheckedBox(sink)
        let me = self
        // Pin the identity of every file there now, so a crash before the first commit still finds a file
        // that is rotated away meanwhile.
        var checkpoint = checkpoint
        if let dir = checkpointDirectory {
            for path in Self.paths(matching: patterns) where checkpoint.entries[path] == nil {
                guard let identity = FileIdentity.of(path: path) else { continue }
                checkpoint.entries[path] = Checkpoint.Entry(
                    path: path, identity: identity, fileOffset: 0, offset: 0, line: 1)
            }
            try checkpoint.save(in: dir)
        }
        let pinned = checkpoint

        let result: Result<RunStats, OutputError> = await withTaskGroup(of: StageOutcome.self) { group in
            group.addTask {
                let (counts, errors) = await me.followInputs(
                    into: fanIn, checkpoint: pinned, progress: progress, control: control)
                fanIn.finish()
                return .input(counts, errors)
            }
            group.addTask {
                while !fanIn.isFinished {
                    try? await Task.sleep(nanoseconds: UInt64(options.liveTick))
                    await fanIn.send(RecordBatch(input: -1, records: [], deadLetters: []))
                }
                return .none
            }
            group.addTask {
                let failure = await Self.correlate(
                    fanIn, into: closedChannel, options: options, control: control, deadLetter: deadLetter)
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
                var skip = skip
                return await SinkStage.run(outputChannel, sink: sinkBox, control: control) {
                    batch, stats throws(OutputError) in
                    let (kept, all, commit) = batch
                    all.withUnsafeBufferPointer { buf in for i in buf.indices { stats.count(buf[i]) } }
                    let fresh = kept.filter { skip.remove($0.eventID) == nil }
                    stats.written += Int64(fresh.count)
                    if !fresh.isEmpty { try sinkBox.value.write(fresh) }
                    try sinkBox.value.flush()
                    if let commit, let dir = me.checkpointDirectory {
                        var c = pinned
                        for (input, position) in commit {
                            guard
                                let (identity, fileOffset) = progress.locate(
                                    input: input, position: position.offset)
                            else { continue }
                            let path = names.name(of: input)
                            c.entries[path] = Checkpoint.Entry(
                                path: path, identity: identity, fileOffset: fileOffset, offset: position.offset,
                                line: position.line)
                        }
                        c.outputBytes = try syncOutput()
                        try c.save(in: dir)
                    }
                }
            }

            return await StageOutcome.gather(&group).map { stats in
                var stats = stats
                stats.inputs = names.all.count
                return stats
            }
        }
        return try result.get()
    }

    /// Starts an input stage for every file the patterns match, now and (every second) later, until a stop
    /// is requested; forwards their batches into `fanIn`; returns their summed counts and errors.
    private func followInputs(
        into fanIn: BoundedChannel<RecordBatch>, checkpoint: Checkpoint, progress: FollowProgress, control: RunControl
    ) async -> (LineCounts, [InputError]) {
        let options = self.options
        return await withTaskGroup(of: (LineCounts, InputError?).self) { inputs in
            var known = Set<String>()
            repeat {
                for path in Self.paths(matching: patterns) where !known.contains(path) {
                    known.insert(path)
                    let index = names.add(path)
                    var stage = InputStage(
                        spec: InputSpec(path: path), index: index, options: options.parse, parseWorkers: 1,
                        batchBytes: 1 << 20, control: control)
                    stage.follow = Self.start(path: path, checkpoint: checkpoint, progress: progress)
                    let ready = stage
                    inputs.addTask {
                        let own = BoundedChannel<RecordBatch>(capacity: 2)
                        async let result = ready.run(output: own)
                        for await batch in own { await fanIn.send(batch) }
                        return await result
                    }
                }
                for _ in 0..<10 where !control.isStopRequested { try? await Task.sleep(nanoseconds: 100_000_000) }
            } while !control.isStopRequested
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

    /// Correlates batches in arrival order; whenever no group is open, the inputs' handed-on positions go
    /// downstream with the closed groups as a commit point. An empty batch from input -1 is a tick.
    private static func correlate(
        _ input: BoundedChannel<RecordBatch>,
        into output: BoundedChannel<([GroupAccumulator], [Int32: SourcePosition]?)>, options: PipelineOptions,
        control: RunControl, deadLetter: @Sendable (DeadLetter) throws(OutputError) -> Void
    ) async -> OutputError? {
        var correlator = Correlator(options: options.correlation)
        var handedOn: [Int32: SourcePosition] = [:]
        var committed: [Int32: SourcePosition] = [:]
        var sequence: Int64 = 0
        var lastArrival = RunControl.now()
        var failure: OutputError?
        for await batch in input {
            if batch.input < 0 {
                if let since = control.quietSince() {
                    let quiet = RunControl.now() - max(since, lastArrival)
                    if quiet >= options.liveTick { correlator.advanceQuiet(quiet) }
                }
            } else {
                for d in batch.deadLetters where failure == nil {
                    do throws(OutputError) { try deadLetter(d) } catch { failure = error }
                }
                handedOn[batch.input] = batch.handedOnTo
                if !batch.records.isEmpty { lastArrival = RunControl.now() }
                var records = batch.records
                records.drainInOrder { r in
                    var r = r
                    r.sequence = sequence
                    sequence += 1
                    correlator.add(r)
                }
            }
            let closed = correlator.drainClosed()
            let commit = correlator.openGroups == 0 && handedOn != committed ? handedOn : nil
            if let commit { committed = commit }
            // A tick goes on to the sink even when nothing closed: its flush releases idle live day files.
            if !closed.isEmpty || commit != nil || batch.input < 0 { await output.send((closed, commit)) }
        }
        repeat {
            correlator.finish(limit: options.batchRecords)
            let closed = correlator.drainClosed()
            if !closed.isEmpty { await output.send((closed, nil)) }
        } while correlator.openGroups > 0
        await output.send(([], handedOn))
        output.finish()
        return failure
    }

}
