/// A stage a run can stop after: the benchmark runs the one pipeline cut after each stage in turn and charges
/// every stage the CPU time it adds.
public enum PipelineStage: String, CaseIterable, Sendable {
    /// Read the bytes (gzip inflated) and drop them.
    case read
    /// Split them into lines and drop the lines.
    case frame
    /// Parse each line into a record (continuation lines joined), merge the inputs by time, drop the records.
    case parse
    /// Group records into events and drop the groups.
    case correlate
    /// Turn groups into audit events and go on to the sinks (every stage runs).
    case enrich
}
