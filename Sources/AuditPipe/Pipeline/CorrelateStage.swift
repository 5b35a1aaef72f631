/// The merge and correlate stage: takes the inputs from the registry as they come, merges their records by
/// event time, and folds them into groups (or, with a record filter, matches the records themselves). When
/// every live input has gone quiet, every open group closes. A checkpointed run hands a commit point
/// downstream at least every `commitInterval` or `commitBytes`, after syncing the dead letters before it.
struct CorrelateStage: Sendable {
    let options: PipelineOptions
    let inputs: InputSet
    let follow: FollowSettings?
    let checkpointer: Checkpointer?
    let enricher: Enricher
    let progress: PipelineProgress
    let stopAfter: PipelineStage?
    /// Flushes and fsyncs the dead letters; returns their length.
    let syncDeadLetters: (@Sendable () throws(OutputError) -> Int64)?
    let deadLetter: @Sendable (DeadLetter) throws(OutputError) -> Void
    /// The run's control: a stop of a checkpointed follower keeps open groups for the next run.
    var control: RunControl?

    /// Runs until every input has ended and the registry is closed; returns the first dead-letter failure.
    func run(into output: BoundedChannel<CorrelatedBatch>) async -> OutputError? {
        var merger = RecordMerger(
            channels: [], clock: EventClock(options: options.correlation),
            wakeups: follow == nil ? nil : inputs.registry.wakeups)
        merger.tracksPositions = checkpointer != nil
        merger.nextSequence = checkpointer?.resume.sequence ?? 0
        // A checkpointed follower that is stopped keeps what the merge holds back, and its open groups, in the
        // checkpoint; the next run goes on with them, so a request cut by the stop is one event, not two.
        let pausable = follow != nil && checkpointer != nil
        if pausable, let control { merger.pausing = { control.isStopRequested } }
        var correlator = Correlator(options: options.correlation)
        var paths: [Int32: String] = [:]
        var failure: OutputError?
        var lastCommit = RunControl.now() - (follow?.commitInterval ?? 0)
        // When a merge waiting on a silent input next comes back to commit: a commit interval after the last
        // look, whether or not it found anything to commit (else it would spin).
        var nextYield = RunControl.now()
        var bytesAtCommit: Int64 = -1
        var sequenceAtCommit: Int64 = -1
        var inputsAtCommit = -1
        let correlating = options.recordFilter == nil && stopAfter != .parse

        func register() {
            for (channel, index, entry) in inputs.registry.take() {
                paths[index] = inputs.names.name(of: index)
                let (pending, held) = checkpointer?.rebuild(entry, input: index) ?? ([], [])
                merger.add(
                    channel, name: paths[index] ?? "", reference: entry?.reference,
                    counts: entry?.counts ?? LineCounts(), pending: pending,
                    held: held, inheritedTime: entry?.inheritedTime)
            }
        }
        func commit() -> Checkpoint? {
            guard let checkpointer else { return nil }
            guard var c = checkpointer.checkpoint(merger: &merger, correlator: correlator, paths: paths) else {
                return nil
            }
            do throws(OutputError) {
                c.deadLetterBytes = try syncDeadLetters?() ?? 0
            } catch {
                failure = failure ?? error
                return nil
            }
            return c
        }

        register()
        if let checkpointer { checkpointer.restore(&correlator, paths: paths) }
        while true {
            register()
            if pausable { merger.yieldAt = nextYield }
            guard
                let step = await merger.next(
                    limit: options.batchRecords,
                    deadLetters: { d in
                        guard failure == nil, !(checkpointer?.alreadyWritten(d, path: paths[d.position.input]) ?? false)
                        else { return }
                        do throws(OutputError) {
                            try deadLetter(d)
                        } catch {
                            // As a failed sink does: the readers stop (a trial's run read 294k lines on).
                            failure = error
                            control?.requestStop()
                        }
                    })
            else {
                if inputs.registry.isClosed && !inputs.registry.hasPending { break }
                await inputs.registry.wakeups.wait()
                continue
            }
            progress.merged(bytes: merger.bytesConsumed, records: Int64(step.records.count))
            if !correlating {
                if let filter = options.recordFilter {
                    var matched: [JSONValue] = []
                    step.records.withUnsafeBufferPointer { records in
                        withUnsafePointer(to: enricher) { e in
                            for i in records.indices {
                                let r = records.baseAddress! + i
                                // A record its parse ruled out is not asked again (half the filter's evaluations).
                                if !r.pointee.notes.ruledOut && filter.matches(LogRecordSubject(record: r, enricher: e))
                                {
                                    matched.append(e.pointee.recordObject(r.pointee))
                                }
                            }
                        }
                    }
                    if !matched.isEmpty { await output.send(.records(matched)) }
                }
                continue
            }
            let quiet = step.quiet
            var records = (consume step).records
            // Folded where they lie: a record moved out of its slot was dropped twice, once in `add` with what
            // its group left in it and once as the vacant record in the slot.
            for i in records.indices { correlator.absorb(&records[i]) }
            if quiet { correlator.closeQuiet() }
            let closed = correlator.drainClosed()
            var due: Checkpoint?
            if let follow, checkpointer != nil {
                let now = RunControl.now()
                let read = merger.bytesConsumed - bytesAtCommit
                // Also when every input went quiet: the merge then waits for news, and what was read must
                // not wait for it to be committed.
                let changed =
                    merger.nextSequence != sequenceAtCommit || merger.bytesConsumed != bytesAtCommit
                    || merger.inputCount != inputsAtCommit
                if changed && (now - lastCommit >= follow.commitInterval || read >= follow.commitBytes) || quiet {
                    due = commit()
                    lastCommit = now
                    bytesAtCommit = merger.bytesConsumed
                    sequenceAtCommit = merger.nextSequence
                    inputsAtCommit = merger.inputCount
                }
                if due != nil || now >= nextYield { nextYield = now + follow.commitInterval }
            }
            if !closed.isEmpty || due != nil { await output.send(.groups(consume closed, commit: due)) }
        }
        let pausing = pausable && control?.isStopRequested == true
        // Readers still sending wait on channels the stopped merge no longer takes from: released here.
        if pausing { merger.finishInputs() }
        if correlating && pausing {
            await output.send(.groups([], commit: commit()))
        } else if correlating {
            repeat {
                correlator.finish(limit: options.batchRecords)
                let closed = correlator.drainClosed()
                if !closed.isEmpty { await output.send(.groups(consume closed, commit: nil)) }
            } while correlator.openGroups > 0
            if checkpointer != nil { await output.send(.groups([], commit: commit())) }
        }
        output.finish()
        return failure
    }
}
