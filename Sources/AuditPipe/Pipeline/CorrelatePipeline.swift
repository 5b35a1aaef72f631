/// Runs `reader → parser → merge → correlator → enricher → sink`, each stage a task joined to the next by a
/// bounded channel carrying batches, so memory stays bounded and a slow sink slows the readers.
public struct CorrelatePipeline: Sendable {
    /// Inputs in order.
    public let inputs: [InputSpec]
    /// Run settings.
    public let options: PipelineOptions

    /// Creates a pipeline.
    public init(inputs: [InputSpec], options: PipelineOptions) {
        self.inputs = inputs
        self.options = options
    }

    /// Runs to the end of every input. Events go to `sink`; rejected lines to `deadLetter` (each is
    /// counted either way). Returns the run's stats; throws only when writing an output fails.
    public func run(
        sink: any EventSink, control: RunControl = RunControl(),
        deadLetter: @escaping @Sendable (DeadLetter) throws(OutputError) -> Void
    ) async throws(OutputError) -> RunStats {
        let options = self.options
        let inputs = self.inputs
        let names = inputs.map(\.path)
        let batchBytes = max(64 << 10, min(1 << 20, (16 << 20) / max(1, inputs.count)))
        let workers = inputs.count == 1 ? max(1, options.parseWorkers) : 1
        let recordChannels = inputs.map { _ in BoundedChannel<RecordBatch>(capacity: 2) }
        let mergedChannel = BoundedChannel<RecordMerger.Step>(capacity: 2)
        let closedChannel = BoundedChannel<[GroupAccumulator]>(capacity: 2)
        let outputChannel = BoundedChannel<SinkBatch>(capacity: 2)
        let enricher = options.enricher(InputNames(names))
        let sinkBox = UncheckedBox(sink)

        let result: Result<RunStats, OutputError> = await withTaskGroup(of: StageOutcome.self) { group in
            for (i, spec) in inputs.enumerated() {
                group.addTask {
                    var stage = InputStage(
                        spec: spec, index: Int32(i), options: options.parse, parseWorkers: workers,
                        batchBytes: batchBytes, control: control)
                    stage.quietAfter = options.correlation.idle
                    let (counts, error) = await stage.run(output: recordChannels[i])
                    return .input(counts, error.map { [$0] } ?? [])
                }
            }
            group.addTask {
                var merger = RecordMerger(channels: recordChannels, maxSkew: options.correlation.maxSkew)
                var failure: OutputError?
                while let batch = await merger.next(
                    limit: options.batchRecords,
                    deadLetters: { d in
                        if failure == nil {
                            do throws(OutputError) { try deadLetter(d) } catch { failure = error }
                        }
                    })
                {
                    await mergedChannel.send(batch)
                }
                mergedChannel.finish()
                return .output(failure)
            }
            if let recordFilter = options.recordFilter {
                group.addTask {
                    for await step in mergedChannel {
                        var matched: [JSONValue] = []
                        for r in step.records {
                            let subject = LogRecordSubject(record: r) { enricher.recordObject(r) }
                            if recordFilter.matches(subject) { matched.append(enricher.recordObject(r)) }
                        }
                        if !matched.isEmpty { await outputChannel.send(.records(matched)) }
                    }
                    outputChannel.finish()
                    return .none
                }
            } else {
                group.addTask {
                    await Self.correlate(
                        mergedChannel, into: closedChannel, options: options, control: control)
                    return .none
                }
                group.addTask {
                    for await closed in closedChannel {
                        let events = closed.withUnsafeBufferPointer { buf in
                            buf.indices.map { enricher.event(from: buf[$0]) }
                        }
                        let kept = options.filter.map { f in events.filter { f.matches($0) } } ?? events
                        await outputChannel.send(.events(kept, all: events))
                    }
                    outputChannel.finish()
                    return .none
                }
            }
            if options.live {
                // An empty batch to the sink every tick: its flush releases live day files gone idle.
                group.addTask {
                    while !outputChannel.isFinished {
                        try? await Task.sleep(nanoseconds: 100_000_000)
                        await outputChannel.send(.events([], all: []))
                    }
                    return .none
                }
            }
            group.addTask {
                await SinkStage.run(outputChannel, sink: sinkBox, control: control) {
                    batch, stats throws(OutputError) in
                    switch batch {
                    case .events(let kept, let all):
                        all.withUnsafeBufferPointer { buf in for i in buf.indices { stats.count(buf[i]) } }
                        stats.written += Int64(kept.count)
                        if !kept.isEmpty { try sinkBox.value.write(kept) }
                    case .records(let matched):
                        stats.written += Int64(matched.count)
                        try sinkBox.value.write(records: matched)
                    }
                    if options.live { try sinkBox.value.flush() }
                }
            }

            return await StageOutcome.gather(&group).map { stats in
                var stats = stats
                stats.inputs = inputs.count
                stats.inputErrors.sort {
                    names.firstIndex(of: $0.source) ?? 0 < names.firstIndex(of: $1.source) ?? 0
                }
                return stats
            }
        }
        return try result.get()
    }

    /// The correlate stage: folds merged records into groups and hands on closed ones. When every live
    /// input has gone quiet (nothing for longer than the idle gap), every open group closes.
    private static func correlate(
        _ input: BoundedChannel<RecordMerger.Step>, into output: BoundedChannel<[GroupAccumulator]>,
        options: PipelineOptions, control: RunControl
    ) async {
        var correlator = Correlator(options: options.correlation)
        for await step in input {
            let quiet = step.quiet
            var records = (consume step).records
            records.drainInOrder { correlator.add($0) }
            if quiet { correlator.closeQuiet() }
            let closed = correlator.drainClosed()
            if !closed.isEmpty { await output.send(closed) }
        }
        repeat {
            correlator.finish(limit: options.batchRecords)
            let closed = correlator.drainClosed()
            if !closed.isEmpty { await output.send(closed) }
        } while correlator.openGroups > 0
        output.finish()
    }

    /// What the sink stage receives: events (those kept by the filter, and all for counting) or records.
    private enum SinkBatch: Sendable {
        case events([AuditEvent], all: [AuditEvent])
        case records([JSONValue])
    }

}

/// Carries a non-Sendable sink into the one task that uses it.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
