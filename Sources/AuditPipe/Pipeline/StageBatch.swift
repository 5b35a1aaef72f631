/// What the correlate stage hands to the enrich stage: closed groups, with the commit point that follows them
/// when one is due, or the records a record filter matched.
enum CorrelatedBatch: Sendable {
    case groups([GroupAccumulator], commit: Checkpoint?)
    case records([JSONValue])
}

/// What the sink stage receives: events (those the filter kept, and all of them for the counts) with a commit
/// point after them, matched records, or a tick that lets a live sink release its idle files.
enum SinkBatch: Sendable {
    case events(kept: [AuditEvent], all: [AuditEvent], commit: Checkpoint?)
    case records([JSONValue])
    case tick
}
