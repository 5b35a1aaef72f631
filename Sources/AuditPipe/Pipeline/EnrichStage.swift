/// The enrich stage: turns closed groups into audit events, keeps those the filter matches (all are passed on
/// for the counts), and passes matched records and commit points through in order.
struct EnrichStage: Sendable {
    let enricher: Enricher
    let filter: FilterExpression?
    /// The benchmark's `.correlate` cut: groups are dropped here.
    let dropGroups: Bool

    func run(_ input: BoundedChannel<CorrelatedBatch>, into output: BoundedChannel<SinkBatch>) async {
        for await batch in input {
            switch consume batch {
            case .records(let matched):
                await output.send(.records(matched))
            case .groups(var closed, let commit):
                if dropGroups {
                    if let commit { await output.send(.events(kept: [], all: [], commit: commit)) }
                    continue
                }
                var events: [AuditEvent] = []
                events.reserveCapacity(closed.count)
                closed.updateEachInPlace { events.append(enricher.event(taking: &$0)) }
                let kept = filter.map { f in events.filter { f.matches($0) } } ?? events
                await output.send(.events(kept: kept, all: consume events, commit: commit))
            }
        }
        output.finish()
    }
}
