#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A run's inputs on their way to the merge: a batch run's inputs, all registered before the merge starts,
/// or a followed run's files, registered as its patterns match them (looked for again when a file is created in
/// their directories, and every second, until a stop is requested). One input stage runs per input.
struct InputSet: Sendable {
    /// Where the merge takes the inputs from.
    let registry = InputRegistry()
    /// The inputs' names by index.
    let names: InputNames
    private let specs: [InputSpec]
    private let followed: FollowedFiles?
    private let options: PipelineOptions
    private let checkpointing: Bool
    private let stopAfter: PipelineStage?
    private let progress: PipelineProgress
    private let waits: PipelineWaits
    /// Where a followed input's offsets fall in its files.
    let files = FollowProgress()

    /// The inputs of a batch run (`specs`) or of a followed one (`followed`).
    init(
        specs: [InputSpec], followed: FollowedFiles?, options: PipelineOptions, checkpointing: Bool,
        stopAfter: PipelineStage?, progress: PipelineProgress, waits: PipelineWaits = PipelineWaits()
    ) {
        self.specs = specs
        self.followed = followed
        self.options = options
        self.checkpointing = checkpointing
        self.stopAfter = stopAfter
        self.progress = progress
        self.waits = waits
        names = InputNames(followed == nil ? specs.map(\.path) : [])
    }

    /// A prepared input: its stage and the channel it sends on.
    typealias Started = (stage: InputStage, channel: BoundedChannel<RecordBatch>)

    /// Registers the inputs there now (so a resumed merge finds the inputs of its saved groups) and returns
    /// their stages, not yet running; a batch run's registry is closed, as no input will follow.
    func start(
        control: RunControl, resume: Checkpoint, known: inout Set<String>
    ) -> [Started] {
        guard let followed else {
            let batchBytes = min(options.batchBytes, max(64 << 10, (16 << 20) / max(1, specs.count)))
            let workers = specs.count == 1 ? options.parseWorkersForOneInput : 1
            var out: [Started] = []
            for (i, spec) in specs.enumerated() {
                var started = make(
                    spec, index: Int32(i), workers: workers, batchBytes: batchBytes, control: control, entry: nil)
                started.stage.inflatesApart = specs.count == 1
                out.append(started)
            }
            note(specs)
            registry.close()
            return out
        }
        files.remember(resume)
        for path in followed.compressed() {
            files.warn(
                "\(path): compressed, so not followed (its lines are read from the plain file before a rotation "
                    + "compresses it; `correlate` reads it)")
        }
        let looked = UTCTime.now()
        let there = followed.paths()
        let out = discover(
            there + Self.renamedAway(resume, besides: there, followed: followed), known: &known, control: control,
            resume: resume, looked: looked, first: true)
        registerGone(known: known, resume: resume)
        return out
    }

    /// The paths of `checkpoint` not there now whose committed file is beside them under another name: renamed
    /// away by a rotation whose writer has not made the new file yet (or never will). Followed from the first
    /// look, each reads the rest of its file there, then waits for the path. Only paths the run still follows.
    private static func renamedAway(_ checkpoint: Checkpoint, besides paths: [String], followed: FollowedFiles)
        -> [String]
    {
        let listed = Set(paths)
        // A path's own, not a rotated name's (history or a copy, whose input read only its own file).
        let names = listed.union(checkpoint.entries.keys)
        return checkpoint.entries.values.filter { e in
            !listed.contains(e.path) && followed.covers(e.path) && !RotatedName.isRotated(e.path, of: names)
                && FileIdentity.of(path: e.path) == nil
                && FollowSource.sibling(of: e.path, identity: e.identity) != nil
        }.map(\.path).sorted()
    }

    /// What the first look at a followed run's paths warned of (a file named twice is read once).
    func passedOver() -> [String] { files.warnings() }

    /// Registers, as inputs that have ended, the paths of the checkpoint gone since (deleted, or no longer
    /// matched) whose records it saved — held back by the merge or in open groups: those records go on under
    /// their own name, so an event keeps its id. The path is not taken as known: a file made there later is
    /// followed as a new one.
    private func registerGone(known: Set<String>, resume: Checkpoint) {
        var gone = Set<String>()
        for (path, e) in resume.entries where !known.contains(path) && !(e.pending.isEmpty && e.held.isEmpty) {
            gone.insert(path)
        }
        for g in resume.groups { for r in g.records where !known.contains(r.path) { gone.insert(r.path) } }
        for path in gone.sorted() {
            let channel = BoundedChannel<RecordBatch>(capacity: 1)
            channel.finish()
            registry.register(channel, index: names.add(path), entry: resume.entries[path])
        }
    }

    /// Runs the stages, and for a followed run looks for new files every second until a stop is requested;
    /// returns the inputs' summed counts and their errors.
    func run(_ initial: [Started], known: Set<String>, control: RunControl, resume: Checkpoint) async -> (
        LineCounts, [InputError]
    ) {
        await withTaskGroup(of: (LineCounts, InputError?).self) { inputs in
            var known = known
            var started = initial
            var creations = FileChangeWatcher.shared.ticket(FileChangeWatcher.creations)
            repeat {
                for s in started {
                    inputs.addTask {
                        let result = await s.stage.run(output: s.channel)
                        progress.inputDone(read: result.0.bytes, onDisk: Self.size(of: s.stage.spec))
                        return result
                    }
                }
                guard let followed else { break }
                // Looked at again as soon as a file is created in (or renamed into) a watched directory, and
                // every second: a file rotated away soon after it appeared is still found under its name.
                let watcher = FileChangeWatcher.shared
                for dir in followed.directories() { _ = watcher.watch(dir + "/") }
                await watcher.wait(
                    FileChangeWatcher.creations, after: creations, until: RunControl.now() + UTCTime.second,
                    control: control)
                creations = watcher.ticket(FileChangeWatcher.creations)
                let looked = UTCTime.now()
                started = discover(
                    followed.paths(), known: &known, control: control, resume: resume, looked: looked)
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

    /// True for a new path not to follow now (it is looked at again at the next look): another name of a path
    /// followed already (`./app.log` beside `app.log`, also while neither is there, between a rename and the new
    /// file); a file an input reads or has read (a rename rotation's new name, in a followed directory or under
    /// `app.log*`), or under a rotated name a copy of one (a copy-truncate's); a file written under a rotated name
    /// of a followed path since that path's input started (a rotation of it, which that input reads); or a small
    /// file just written under a rotated name (`FollowedFiles.settling`). Read from its start, each of its records
    /// went into its group a second time. At the first look (`first`), a file is not taken for a copy by its first
    /// bytes: nothing was read yet that it could be a copy of (history under a rotated name that starts as the path
    /// does, with a banner, is read; a copy made while a checkpointed follower was down is passed over by
    /// `rotatedSinceCommit`).
    private func passesOver(
        _ path: String, found: FileIdentity?, followedAs: String?, besides followedNames: Set<String>, first: Bool,
        warn: Bool
    ) -> Bool {
        if followedAs != nil { return true }
        guard let found else { return false }
        let base = RotatedName.base(of: path, among: followedNames)
        let rotatedName = base != nil
        if files.alreadyRead(found, at: path, mayBeACopy: rotatedName && !first) != nil {
            // Known by its own identity too: renamed on (`app.log.1` to `app.log.2`), it is passed over again,
            // whatever the file it was read as holds by then.
            files.noteRead(found)
            if warn {
                files.warn("\(path): its file is read under another name (or copied from one); it is not read again")
            }
            return true
        }
        if !first, let base, let since = files.followedSince(base), let written = RotatedSiblings.modified(path),
            written >= since - 10_000_000
        {
            // Written under a rotated name of a followed path since its input started: a rotation of that path
            // (a file renamed away or a copy-truncate's copy), which its input reads, as with a glob that does not
            // match rotated names. Followed as well, a copy of lines the path's input had not reached yet (it was
            // still reading an earlier rotation) or of a generation shorter than a fingerprint was read twice
            // (a kill differential under load: 2 and 4 lines of 9,486), and so was a generation renamed on before
            // the path's input opened it (a trial: 63 lines of 636). Files written before (history moved in) are
            // followed, and so is a path named as it is (`--follow logs logs/app.log.2026`: known from the first
            // look, even before it is there).
            return true
        }
        return FollowedFiles.settling(found, at: path, besides: followedNames)
    }

    /// Prepares and registers a followed input for each path not yet known.
    /// Only the first look hands on the records a path's entry saved (later, a gone path's registered input
    /// has them).
    private func discover(
        _ paths: [String], known: inout Set<String>, control: RunControl, resume: Checkpoint, looked: Int64,
        first: Bool = false
    ) -> [Started] {
        var out: [Started] = []
        // Most looks find no new path: the links' targets (an lstat per followed path) are not read for them.
        guard paths.contains(where: { !known.contains($0) }) else { return out }
        // With the paths an earlier life followed: a restart in the moment a rotation has renamed `app.log` away and
        // its writer has not made the next one yet lists no `app.log`, and `app.log.1` then read the file the
        // rotation put at its name (a differential with kills under `rotate 3`: 3,980 records of 2,400).
        let followedNames = RotatedName.withLinkTargets(known.union(paths).union(resume.entries.keys))
        for path in paths where !known.contains(path) {
            let followedAs = files.follow(path, canonical: FollowedFiles.canonical(path))
            let found = FileIdentity.of(path: path)
            if first, let found, FollowedFiles.rotatedSinceCommit(path, among: followedNames, checkpoint: resume) {
                // Known by its file from then on, as a file read (see `passesOver`).
                files.noteRead(found)
                continue
            }
            if resume.entries[path] == nil,
                passesOver(
                    path, found: found, followedAs: followedAs, besides: followedNames, first: first,
                    warn: first && !resume.exists)
            {
                continue
            }
            if let found { files.noteRead(found) }
            known.insert(path)
            files.noteFollowed(path, since: looked)
            let index = names.add(path)
            var entry = resume.entries[path]
            if !first, var e = entry {
                (e.pending, e.held) = ([], [])
                entry = e
            }
            var s = make(
                InputSpec(path: path), index: index, workers: 1, batchBytes: options.batchBytes, control: control,
                entry: entry)
            s.stage.wakeups = registry.wakeups
            s.stage.keepRaw = checkpointing
            var follow = FollowedFiles.start(path: path, checkpoint: resume, files: files)
            // `app.log.1` beside `app.log` (history there when following began): its own file only.
            follow.staysOnFile = RotatedName.isRotated(path, of: followedNames)
            // Its file is its own from now, not from when its reader gets to it: the path's reader, started first,
            // took history written after following began (the program still writing `app.log.1` before it
            // reopened its log) for a copy made since, and read it too (a helper's trial: 1,875 lines of 1,237).
            if follow.staysOnFile, let own = follow.files.first?.identity { files.claim(input: index, own) }
            s.stage.follow = follow
            // The rotations read before the path's file are this input's too (`app.log.1` after `app.log`).
            for f in follow.files { if let id = f.identity { files.noteRead(id) } }
            // A new file whose earlier rotations are read first: commits name the files after the first as later.
            files.plan(
                input: index, later: resume.entries[path]?.later ?? follow.files.dropFirst().compactMap(\.identity),
                emptySince: follow.files.first(where: { $0.copiedSince != nil })?.copiedSince)
            out.append(s)
        }
        note(out.map(\.stage.spec))
        return out
    }

    /// An input stage and its channel, registered for the merge.
    private func make(
        _ spec: InputSpec, index: Int32, workers: Int, batchBytes: Int, control: RunControl,
        entry: Checkpoint.Entry?
    ) -> Started {
        var stage = InputStage(
            spec: spec, index: index, options: options.parse, parseWorkers: workers, batchBytes: batchBytes,
            control: control)
        stage.quietAfter = options.correlation.idle
        stage.stopAfter = stopAfter
        stage.waits = waits
        let channel = BoundedChannel<RecordBatch>(capacity: 2, waits: waits, edge: .joinToCorrelate)
        registry.register(channel, index: index, entry: entry)
        return (stage, channel)
    }

    /// Counts new inputs and their size for the progress line.
    private func note(_ specs: [InputSpec]) {
        guard !specs.isEmpty else { return }
        let streams = followed != nil || specs.contains(where: \.isStandardInput)
        let onDisk = specs.reduce(Int64(0)) { $0 + Self.size(of: $1) }
        progress.addInputs(
            specs.count, onDisk: streams ? nil : onDisk, compressed: specs.contains { $0.path.hasSuffix(".gz") })
    }

    /// An input's size on disk (0 for a stream or a file gone).
    private static func size(of spec: InputSpec) -> Int64 {
        var st = stat()
        return !spec.isStandardInput && stat(spec.path, &st) == 0 ? Int64(st.st_size) : 0
    }
}
