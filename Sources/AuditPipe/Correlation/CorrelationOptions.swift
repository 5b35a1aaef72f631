/// How records are grouped into events (DESIGN.md "Correlation"). Durations are nanoseconds; 0 = no limit.
public struct CorrelationOptions: Sendable {
    /// How far behind the highest event time the watermark trails.
    public var lateness: Int64 = 2 * UTCTime.second
    /// A group closes when the watermark passes its last record plus this gap.
    public var idle: Int64 = 5 * UTCTime.second
    /// A group longer than this is cut; the rest continues as a new event flagged `split`.
    public var maxDuration: Int64 = 0
    /// A group with this many records is cut; the rest continues as a new event flagged `split`.
    public var maxRecords: Int = 0
    /// Past this many open groups the least recently seen is closed early, flagged `partial`.
    public var maxOpenGroups: Int = 100_000
    /// A record further than this from its input's last accepted time is held until the input's next record
    /// confirms the jump or shows it was a lone outlier (`SkewGuard`).
    public var maxSkew: Int64 = 3600 * UTCTime.second
    /// Keep each record in its group so events can embed them.
    public var includeRecords = false
    /// Keep each open group's records so a checkpoint can carry them (a checkpointed follow run).
    public var retainRecords = false
    /// Records without a request id are events of their own without the `uncorrelated` flag (formats that
    /// log one record per action, like Frappe's Access Log).
    public var oneEventPerRecord = false

    /// Creates default options.
    public init() {}
}
