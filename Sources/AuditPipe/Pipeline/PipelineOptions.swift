/// Everything a correlate run needs besides its inputs and sinks.
public struct PipelineOptions: Sendable {
    /// Parse-stage settings.
    public var parse = ParseOptions()
    /// Correlation settings.
    public var correlation = CorrelationOptions()
    /// Parser tasks for a single input (several inputs get one each).
    public var parseWorkers = 2
    /// Records per batch between the merge, correlate, enrich and sink stages.
    public var batchRecords = 4096
    /// Extra keys to redact.
    public var redactKeys: [String] = []

    /// Creates default options.
    public init() {}
}
