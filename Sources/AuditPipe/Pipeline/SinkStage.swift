/// The sink stage both pipelines run: writes each batch through `write` until one fails, then asks the
/// readers to stop and keeps draining (so the stages upstream can finish), and closes the sink.
enum SinkStage {
    static func run<Batch: Sendable>(
        _ channel: BoundedChannel<Batch>, sink: UncheckedBox<any EventSink>, control: RunControl,
        write: (Batch, inout RunStats) throws(OutputError) -> Void
    ) async -> StageOutcome {
        var stats = RunStats()
        var failure: OutputError?
        for await batch in channel {
            guard failure == nil else { continue }
            do throws(OutputError) {
                try write(batch, &stats)
            } catch {
                failure = error
                control.requestStop()
            }
        }
        if failure == nil {
            do throws(OutputError) { try sink.value.close() } catch { failure = error }
        }
        return .sink(stats, failure)
    }
}
