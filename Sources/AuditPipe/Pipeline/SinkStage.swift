/// The sink stage: writes each batch until one fails, then asks the readers to stop and keeps draining (so
/// the stages upstream can finish), and closes the sink. A live run flushes after every batch; at a commit
/// point the events output is fsynced and the checkpoint saved after it.
struct SinkStage: Sendable {
    let sink: UncheckedBox<any EventSink>
    let live: Bool
    let progress: PipelineProgress
    /// A checkpointed run: where it saves, the counts it resumed with, and the events output's fsync.
    let checkpointDirectory: String?
    let resumed: Checkpoint.EventCounts
    let syncEvents: (@Sendable () throws(OutputError) -> Int64)?

    /// What the stage has written so far, and the write that failed.
    struct State {
        var stats = RunStats()
        var failure: OutputError?
    }

    func run(_ channel: BoundedChannel<SinkBatch>, control: RunControl) async -> StageOutcome {
        var state = State()
        for await batch in channel { take(batch, into: &state, control: control) }
        return finish(&state)
    }

    /// Writes `batch`, unless a write failed before; a failed write asks the readers to stop.
    func take(_ batch: SinkBatch, into state: inout State, control: RunControl) {
        guard state.failure == nil else { return }
        do throws(OutputError) {
            try write(batch, &state.stats)
        } catch {
            state.failure = error
            control.requestStop()
        }
    }

    /// Closes the sink (after no failure) and says how the stage ended.
    func finish(_ state: inout State) -> StageOutcome {
        if state.failure == nil {
            do throws(OutputError) { try sink.value.close() } catch { state.failure = error }
        }
        return .sink(state.stats, state.failure)
    }

    private func write(_ batch: SinkBatch, _ stats: inout RunStats) throws(OutputError) {
        switch batch {
        case .events(let kept, let all, let commit):
            all.readEachInPlace { stats.count($0) }
            progress.wrote(events: all.count)
            // Counted once out of the sink's buffer (a batch run flushes each batch too): after a failed output,
            // `written` counted events that never reached it (a new-user trial).
            if !kept.isEmpty {
                try sink.value.write(kept)
                try sink.value.flush()
            } else if live {
                try sink.value.flush()
            }
            stats.written += Int64(kept.count)
            guard var c = commit, let dir = checkpointDirectory else { return }
            c.outputBytes = try syncEvents?() ?? 0
            c.events = resumed.adding(stats)
            try c.save(in: dir)
        case .records(let matched):
            try sink.value.write(records: matched)
            try sink.value.flush()
            stats.written += Int64(matched.count)
        case .tick:
            try sink.value.flush()
        }
    }
}
