#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one pipeline every run goes through — a batch over dumps, a live stdin filter, files followed with a
/// checkpoint, `auditpipe test` and the benchmark's stage cuts: input stages (read, frame, parse) → merge by
/// event time → correlate (or match records) → enrich and filter → sinks, the stages tasks joined by bounded
/// channels carrying batches, so memory stays bounded and a slow sink slows the readers. A batch run writes each
/// batch in the task that enriched it, and its one parser (the default on two cores) reads, parses and joins in
/// the input's task: a batch is used on the core that made it (BENCHMARKS.md, session 38).
///
/// Followed with a checkpoint directory, it commits at least every second (or every 4 MiB) on a busy stream,
/// after the events and dead letters before the commit are written and fsynced: each file's identity and the
/// offset of its first record not yet handed to the correlator, the open groups with their records, the
/// recently closed ids and every count. A run resumed after a crash cuts the outputs back to their committed
/// length, rebuilds the correlator exactly and reads on from those offsets: every line ends up in one event
/// written once, and the counts add up across restarts.
public struct Pipeline: Sendable {
    /// Files, directories, glob patterns, or `-` for standard input.
    public var inputs: [String]
    /// Parse, correlation, enrichment and filter settings.
    public var options: PipelineOptions
    /// Where events, dead letters and counts go.
    public var outputs: [PipelineSpec.Output]
    /// Set to follow the inputs (`tail -F`) until a stop is requested.
    public var follow: FollowSettings?
    /// Stop after this stage (the benchmark's cuts); nil runs every stage.
    public var stopAfter: PipelineStage?
    /// Updated as the run goes, for a progress line.
    public let progress = PipelineProgress()
    /// Where the stages waited on each other, counted as the run goes (`auditpipe-bench` prints it).
    public let waits = PipelineWaits()

    /// A pipeline over `inputs` into `outputs`.
    public init(
        inputs: [String], options: PipelineOptions, outputs: [PipelineSpec.Output] = [],
        follow: FollowSettings? = nil
    ) {
        self.inputs = inputs
        self.options = options
        self.outputs = outputs
        self.follow = follow
    }

    /// Runs with the outputs opened from `outputs` (a checkpointed follow run first cuts them back to its last
    /// commit and resumes there), then writes the stats output. With no dead-letter output, the first ten
    /// rejected lines go to `echo`, described. Bad lines and unreadable inputs never fail the run: they are
    /// counted in the stats.
    public func run(control: RunControl = RunControl(), echo: (@Sendable (String) -> Void)? = nil)
        async throws(PipelineError) -> RunStats
    {
        let checkpointDirectory = follow?.checkpointDirectory
        let eventOutputs = outputs.filter { $0.kind != .deadLetter && $0.kind != .stats }
        let deadLetterPath = outputs.first { $0.kind == .deadLetter }?.path
        var resume = Checkpoint()
        var sink: any EventSink
        var events: JSONLSink?
        var deadLetters: DeadLetterWriter?
        let statsPath = outputs.first { $0.kind == .stats }?.path
        // A file named as an input that an output would truncate or append to: refused before anything is
        // opened (a directory or pattern that reaches one only leaves it out).
        let places = outputPlaces
        if let (a, b) = places.clash {
            let named = a == b ? "\(a) is named" : "\(a) and \(b) are one file, named"
            throw .invalid("\(named) for two outputs; give each output its own file")
        }
        let named = inputs.filter { $0 != "-" && !$0.contains(where: { "*?[".contains($0) }) }
        if let both = named.first(where: places.holds) {
            throw .invalid("\(both) is both an input and an output of this run; write the output elsewhere")
        }
        // A file a directory or pattern reaches that is an output under another name (a hard link) is a log of
        // the user's that the output would empty or grow, not the run's own file to leave out.
        let expansion = InputSpec.expand(inputs, excluding: places)
        if let (path, output) = expansion.outputsUnderAnotherName.first {
            throw .invalid(
                "\(path) is the output \(output) under another name (a hard link); write the output elsewhere")
        }
        if inputs.contains("-") && places.holds(descriptor: 0) {
            throw .invalid(
                "standard input (-) is a file this run writes as an output; write the output elsewhere")
        }
        let (set, expandErrors, warnings) = makeInputs(expansion)
        if checkpointDirectory != nil {
            guard eventOutputs.count == 1, let only = eventOutputs.first, only.kind == .jsonl, only.path != "-",
                only.template == nil, only.whereFilter == nil
            else {
                throw .invalid(
                    "a checkpoint needs the events in one JSONL file (-o FILE), which it cuts back on resume")
            }
        }
        // Every output checked before any is made or opened: a run refused for one leaves the others as they were.
        if let empty = outputs.first(where: { $0.path.isEmpty && $0.template == nil }) {
            throw .invalid("the \(empty.kind.rawValue) output's path is empty")
        }
        if checkpointDirectory?.isEmpty == true { throw .invalid("the checkpoint's path is empty") }
        do throws(OutputError) {
            for o in outputs where o.template == nil { try OutputFile.check(o.path, directory: o.kind == .archive) }
            if let dir = checkpointDirectory {
                try OutputFile.check(dir, directory: true)
                try OutputFile.makeDirectory(dir)
            }
        } catch {
            throw .cannotOpen(error)
        }
        // One run per checkpoint: a second follower on the same state would write every event twice.
        var lock: ArchiveLock?
        if let dir = checkpointDirectory {
            do throws(ArchiveRunError) {
                lock = try ArchiveLock.acquire(root: dir, timeout: 0)
            } catch {
                if case .locked(_, let holder) = error {
                    throw .locked(
                        "another run (pid \(holder.map(String.init) ?? "?")) follows with the checkpoint \(dir); one run per checkpoint"
                    )
                }
                throw .cannotOpen(OutputError(path: dir, message: "cannot lock the checkpoint: \(error)"))
            }
        }
        defer { withExtendedLifetime(lock) {} }
        do throws(OutputError) {
            if let dir = checkpointDirectory, let only = eventOutputs.first {
                resume = try Checkpoint.load(from: dir)
                // Made first: the path of a file in a folder not there yet was kept as given, and the next run, the
                // folder there, took it for another file and refused to resume (a new-user trial).
                try OutputFile.makeParentDirectories(of: only.path)
                // Resumed into another events file, the cut back to the committed length would cut that file.
                let output = FollowedFiles.canonical(only.path)
                if resume.exists, let was = resume.outputPath, was != output {
                    throw OutputError(
                        path: dir,
                        message:
                            "this checkpoint's events are in \(was), not \(only.path): resume with -o \(was), or give a new --checkpoint directory to start afresh"
                    )
                }
                resume.outputPath = output
                if !resume.exists {
                    // A new checkpoint: what the outputs hold already stays.
                    resume.outputBytes = ResumedOutput.length(of: only.path)
                    resume.deadLetterBytes = deadLetterPath.map(ResumedOutput.length(of:)) ?? 0
                }
                // What was written after the last commit is written again from the saved state.
                try ResumedOutput.cut(path: only.path, to: resume.outputBytes)
                if let d = deadLetterPath { try ResumedOutput.cut(path: d, to: resume.deadLetterBytes) }
                events = try JSONLSink(path: only.path, append: true)
                sink = events!
            } else {
                sink = try SinkFactory.open(eventOutputs, records: options.recordFilter != nil)
            }
            if let d = deadLetterPath {
                try OutputFile.makeParentDirectories(of: d)
                deadLetters = try DeadLetterWriter(
                    path: d, inputNames: set.names, redactor: options.redactor, append: checkpointDirectory != nil)
            }
            // Written at the end (a run killed before leaves the stats of the run before); checked above.
            if let path = statsPath { try OutputFile.makeParentDirectories(of: path) }
        } catch {
            throw .cannotOpen(error)
        }

        let shown = EchoBudget()
        let writer = deadLetters
        let onDeadLetter: @Sendable (DeadLetter) throws(OutputError) -> Void = { d throws(OutputError) in
            if let writer {
                try writer.write(d)
            } else if let echo, shown.take() {
                echo(DeadLetterWriter.describe(d, inputName: set.names.name(of: d.position.input)))
            }
        }
        let box = UncheckedBox(events)
        var syncEvents: (@Sendable () throws(OutputError) -> Int64)?
        if events != nil {
            syncEvents = { () throws(OutputError) -> Int64 in try box.value?.sync() ?? 0 }
        }
        let syncDeadLetters: @Sendable () throws(OutputError) -> Int64 = { () throws(OutputError) -> Int64 in
            try writer?.sync() ?? 0
        }
        var stats: RunStats
        var failure: OutputError?
        do throws(OutputError) {
            (stats, failure) = try await execute(
                set, sink: sink, resume: resume, control: control, syncEvents: syncEvents,
                syncDeadLetters: syncDeadLetters, deadLetter: onDeadLetter)
        } catch {
            throw .outputFailed(error, nil)
        }
        // After another output failed too: the dead letters counted are written (a trial's were lost).
        if failure == nil || failure?.path != deadLetterPath {
            do throws(OutputError) { try deadLetters?.close() } catch { failure = failure ?? error }
        }
        stats.inputErrors = expandErrors + stats.inputErrors
        stats.warnings = warnings + set.passedOver()
        stats.notePatterns(options.parse.textPatterns.count, names: set.names)
        // The counts reached go to the stats output after a failed output too, as to the accounting line.
        var statsFailure: OutputError?
        if let path = statsPath, path != failure?.path {
            do throws(OutputError) {
                let f = try OutputFile(path: path)
                try f.write(Array(stats.json.utf8))
                try f.close()
            } catch {
                statsFailure = error
            }
        }
        if let failure = failure ?? statsFailure { throw .outputFailed(failure, stats) }
        return stats
    }

    /// Runs into `sink` (tests, the benchmark, `auditpipe test`); rejected lines go to `deadLetter`. A
    /// checkpoint needs the outputs `run(control:echo:)` opens, so it is not kept here.
    public func run(
        sink: any EventSink, control: RunControl = RunControl(),
        deadLetter: @escaping @Sendable (DeadLetter) throws(OutputError) -> Void
    ) async throws(OutputError) -> RunStats {
        var pipeline = self
        pipeline.follow?.checkpointDirectory = nil
        let (set, expandErrors, warnings) = pipeline.makeInputs(
            InputSpec.expand(pipeline.inputs, excluding: pipeline.outputPlaces))
        var (stats, failure) = try await pipeline.execute(
            set, sink: sink, resume: Checkpoint(), control: control, syncEvents: nil, syncDeadLetters: nil,
            deadLetter: deadLetter)
        if let failure { throw failure }
        stats.inputErrors = expandErrors + stats.inputErrors
        stats.warnings = warnings + set.passedOver()
        stats.notePatterns(options.parse.textPatterns.count, names: set.names)
        return stats
    }

    /// The run's inputs: a batch run's files as `expansion` found them (with its errors and warnings), or a
    /// followed run's patterns.
    private func makeInputs(_ expansion: InputExpansion) -> (set: InputSet, errors: [InputError], warnings: [String]) {
        let places = outputPlaces
        // A followed run expands its patterns at each look; its outputs left out are said once, here.
        let (specs, errors, warnings) =
            follow == nil ? (expansion.inputs, expansion.errors, expansion.warnings) : ([], [], expansion.leftOut)
        let set = InputSet(
            specs: specs, followed: follow.map { _ in FollowedFiles(patterns: inputs, excluding: places) },
            options: effectiveOptions,
            checkpointing: follow?.checkpointDirectory != nil, stopAfter: stopAfter, progress: progress, waits: waits)
        return (set, errors, warnings)
    }

    /// What the run writes: its outputs and checkpoint, which no input may be.
    private var outputPlaces: OutputPlaces {
        OutputPlaces(outputs: outputs, checkpointDirectory: follow?.checkpointDirectory)
    }

    /// The options as run: a followed run is live, and keeps each record's lines when it checkpoints.
    private var effectiveOptions: PipelineOptions {
        var o = options
        if follow != nil { o.live = true }
        o.correlation.retainRecords = follow?.checkpointDirectory != nil
        // `filter --records` reads the extra fields of the records its filter may keep, not of every record;
        // without a record filter every record is parsed whole (events embed them).
        if o.recordFilter == nil {
            o.parse.extrasFor = nil
        } else if o.parse.extrasFor == nil {
            o.parse.extrasFor = o.recordFilter
        }
        return o
    }

    /// Wires the stages and runs them to the end; the stats, and the output failure that stopped the run.
    private func execute(
        _ inputs: InputSet, sink: any EventSink, resume: Checkpoint, control: RunControl,
        syncEvents: (@Sendable () throws(OutputError) -> Int64)?,
        syncDeadLetters: (@Sendable () throws(OutputError) -> Int64)?,
        deadLetter: @escaping @Sendable (DeadLetter) throws(OutputError) -> Void
    ) async throws(OutputError) -> (RunStats, OutputError?) {
        let options = effectiveOptions
        let follow = self.follow
        let checkpointing = follow?.checkpointDirectory != nil
        var resume = resume
        if let dir = follow?.checkpointDirectory {
            // When the last life committed: what a rotation left beside a path since then comes after its commit.
            let savedAt = RotatedSiblings.modified(Checkpoint.path(in: dir))
            FollowedFiles(patterns: self.inputs, excluding: outputPlaces).pin(
                into: &resume, files: inputs.files, savedAt: savedAt)
            try resume.save(in: dir)
        }
        let pinned = resume
        var known = Set<String>()
        let initial = inputs.start(control: control, resume: pinned, known: &known)
        let alreadyKnown = known
        let enricher = options.enricher(inputs.names)
        var correlateStage = CorrelateStage(
            options: options, inputs: inputs, follow: follow,
            checkpointer: checkpointing
                ? Checkpointer(resume: pinned, names: inputs.names, files: inputs.files, options: options) : nil,
            enricher: enricher, progress: progress, stopAfter: stopAfter, syncDeadLetters: syncDeadLetters,
            deadLetter: deadLetter)
        correlateStage.control = control
        let correlate = correlateStage
        let enrich = EnrichStage(
            enricher: enricher, filter: options.filter, dropGroups: stopAfter == .correlate)
        let sinkStage = SinkStage(
            sink: UncheckedBox(sink), live: options.live, progress: progress,
            checkpointDirectory: follow?.checkpointDirectory, resumed: pinned.events, syncEvents: syncEvents)
        let correlated = BoundedChannel<CorrelatedBatch>(capacity: 2, waits: waits, edge: .correlateToEnrich)
        let output = BoundedChannel<SinkBatch>(capacity: 2, waits: waits, edge: .enrichToSink)

        return await withTaskGroup(of: StageOutcome.self) { group in
            group.addTask {
                let (counts, errors) = await inputs.run(initial, known: alreadyKnown, control: control, resume: pinned)
                return .input(counts, errors)
            }
            group.addTask { .output(await correlate.run(into: correlated)) }
            if options.live {
                group.addTask {
                    await enrich.run(correlated, into: output)
                    return .none
                }
                // A tick to the sink every 100 ms: its flush releases live day files gone idle.
                // And to the merge of a checkpointed follower, which then commits what it took while it waits on
                // a silent input.
                group.addTask {
                    while !output.isFinished {
                        try? await Task.sleep(nanoseconds: 100_000_000)
                        await output.send(.tick)
                        if checkpointing { inputs.registry.wakeups.ring() }
                    }
                    return .none
                }
                group.addTask { await sinkStage.run(output, control: control) }
            } else {
                // A batch run writes each batch in the task that enriched it (`EnrichStage.run(_:writingTo:)`).
                group.addTask { await enrich.run(correlated, writingTo: sinkStage, control: control) }
            }

            var (stats, failure) = await StageOutcome.gather(&group)
            let names = inputs.names.all
            // Across restarts: the paths earlier lives read count too (their lines are in the counts below), also
            // one gone since.
            stats.inputs = Set(names).union(pinned.entries.keys).count
            pinned.events.add(to: &stats)
            for e in pinned.entries.values { stats.lines.add(e.counts) }
            stats.inputErrors.sort { names.firstIndex(of: $0.source) ?? 0 < names.firstIndex(of: $1.source) ?? 0 }
            return (stats, failure)
        }
    }
}

/// Carries a non-Sendable value into the one task that uses it.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
