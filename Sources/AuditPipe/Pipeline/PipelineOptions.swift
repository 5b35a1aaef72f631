/// Everything a correlate run needs besides its inputs and sinks.
public struct PipelineOptions: Sendable {
    /// Parse-stage settings.
    public var parse = ParseOptions()
    /// Correlation settings.
    public var correlation = CorrelationOptions()
    /// Parser tasks for a single input (several inputs get one each).
    public var parseWorkers = 2
    /// Bytes of lines a reader hands its parse workers at a time (several inputs share 16 MiB, at least 64 KiB
    /// each, when that is less). No output depends on it (`BatchSizeTests`); 256 KiB and 1 MiB ran alike
    /// (BENCHMARKS.md, session 26).
    public var batchBytes = 1 << 20
    /// Records per batch between the merge, correlate, enrich and sink stages.
    public var batchRecords = 4096
    /// Extra keys to redact.
    public var redactKeys: [String] = []
    /// A pipeline file's `enrich:` rules.
    public var enrichment: EnrichmentRules?
    /// Events written are those this matches (nil: all).
    public var filter: FilterExpression?
    /// Write the records this matches instead of events (`filter --records`); nil: correlate.
    public var recordFilter: FilterExpression?
    /// A live stream: output is flushed after every batch, and when every input has been quiet for longer
    /// than the idle gap, every open group closes.
    public var live = false

    /// Creates default options.
    public init() {}

    /// The redactor these options describe (`--redact-key`, `enrich: redact:` and `keep:`), for events and
    /// dead letters alike.
    public var redactor: Redactor {
        Redactor(extraKeys: redactKeys + (enrichment?.redactKeys ?? []), keep: enrichment?.keepKeys ?? [])
    }

    /// The enricher these options describe.
    func enricher(_ names: InputNames) -> Enricher {
        Enricher(redactor: redactor, inputNames: names, rules: enrichment)
    }
}
