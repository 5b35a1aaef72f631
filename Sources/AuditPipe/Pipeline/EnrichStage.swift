/// The enrich stage: turns closed groups into audit events, keeps those the filter matches (all are passed on
/// for the counts), and passes matched records and commit points through in order.
struct EnrichStage: Sendable {
    let enricher: Enricher
    let filter: FilterExpression?
    /// The benchmark's `.correlate` cut: groups are dropped here.
    let dropGroups: Bool

    func run(_ input: BoundedChannel<CorrelatedBatch>, into output: BoundedChannel<SinkBatch>) async {
        for await batch in input {
            if let out = enriched(batch) { await output.send(out) }
        }
        output.finish()
    }

    /// Enriches each batch and hands it to `sink` in this task: the events are encoded, written and freed on
    /// the core that made them, while they are in its cache (a batch run; a live one has a sink task of its own,
    /// which its ticks reach).
    func run(_ input: BoundedChannel<CorrelatedBatch>, writingTo sink: SinkStage, control: RunControl) async
        -> StageOutcome
    {
        var state = SinkStage.State()
        for await batch in input {
            if state.failure != nil { continue }
            if let out = enriched(batch) { sink.take(out, into: &state, control: control) }
        }
        return sink.finish(&state)
    }

    /// What `batch` becomes for the sink: its events (those the filter keeps, and all for the counts), or its
    /// matched records; nil for the benchmark's `.correlate` cut of a batch without a commit point.
    private func enriched(_ batch: consuming CorrelatedBatch) -> SinkBatch? {
        switch consume batch {
        case .records(let matched):
            return .records(matched)
        case .groups(var closed, let commit):
            if dropGroups {
                return commit.map { .events(kept: [], all: [], commit: $0) }
            }
            var events: [AuditEvent] = []
            events.reserveCapacity(closed.count)
            closed.updateEachInPlace { events.append(enricher.event(taking: &$0)) }
            let kept = filter.map { f in events.filter { f.matches($0) } } ?? events
            return .events(kept: kept, all: consume events, commit: commit)
        }
    }
}
