/// What a pipeline's stage tasks report when they end; `gather` turns them into the run's stats.
enum StageOutcome: Sendable {
    /// An input stage (or all of a follow run's inputs): line counts and read errors.
    case input(LineCounts, [InputError])
    /// A stage that can fail writing (the dead-letter callback).
    case output(OutputError?)
    /// The sink stage: event counts and its failure, if any.
    case sink(RunStats, OutputError?)
    case none

    /// Waits for every stage of `group`; the sink's stats with the inputs' counts and errors (in the order
    /// the inputs ended), and the first output failure (the stats then say how far the run got).
    static func gather(_ group: inout TaskGroup<StageOutcome>) async -> (RunStats, OutputError?) {
        var stats = RunStats()
        var failure: OutputError?
        var counts = LineCounts()
        var inputErrors: [InputError] = []
        for await r in group {
            switch r {
            case .input(let c, let e):
                counts.add(c)
                inputErrors += e
            case .output(let e): if failure == nil { failure = e }
            case .sink(let s, let e):
                stats = s
                if let e { failure = e }
            case .none: break
            }
        }
        stats.lines = counts
        stats.inputErrors = inputErrors
        return (stats, failure)
    }
}
