#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Everything a correlate run needs besides its inputs and sinks.
public struct PipelineOptions: Sendable {
    /// Parse-stage settings.
    public var parse = ParseOptions()
    /// Correlation settings.
    public var correlation = CorrelationOptions()
    /// Parser tasks for a single input (several inputs get one each); nil: `automaticParseWorkers`.
    public var parseWorkers: Int?
    /// Bytes of lines a reader hands its parse workers at a time (several inputs share 16 MiB, at least 64 KiB
    /// each, when that is less). No output depends on it (`BatchSizeTests`). 256 KiB ran 1–5% faster than 1 MiB
    /// once one task reads and parses (a batch's lines and records fit the core's cache better), 4 MiB 25% slower
    /// (BENCHMARKS.md, session 38).
    public var batchBytes = 256 << 10
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

    /// The parser tasks a single input gets when `parseWorkers` is nil: one per core for `filter --records`,
    /// whose stages after the parse are light, and one fewer for a correlating run, whose correlate, enrich
    /// and sink stages keep a core busy; at least one. On two cores a correlating run's one parser reads,
    /// parses and joins in a single task, where a line batch's bytes and records are still in its core's
    /// cache: 8–17% faster than two parsers that take their batches from a reader (BENCHMARKS.md, session 38).
    public func automaticParseWorkers(cores: Int) -> Int {
        recordFilter != nil ? max(1, cores) : max(1, cores - 1)
    }

    /// The parser tasks a single input gets on this machine.
    var parseWorkersForOneInput: Int {
        parseWorkers.map { max(1, $0) } ?? automaticParseWorkers(cores: Self.onlineCores)
    }

    /// The cores online (at least one).
    static let onlineCores = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))

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
