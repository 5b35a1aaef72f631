/// The state of a `Correlator` at a commit point, as a checkpoint carries it: enough to rebuild the open
/// groups exactly, so a resumed run goes on as the interrupted one would have.
struct CorrelatorSnapshot: Sendable {
    /// One open group: its flags and part as they stand, and its records in the order they came.
    struct Group: Sendable {
        var flags: EventFlags
        var part: Int32
        var records: [LogRecord]
    }

    /// The highest event time seen.
    var maxTime: Int64?
    /// Open groups, least recently seen first.
    var groups: [Group]
    /// Recently closed request ids, oldest first.
    var closed: [(id: String, end: Int64, flags: EventFlags)]
}
