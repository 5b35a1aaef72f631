/// A destination for audit events.
public protocol EventSink {
    /// Writes a batch of events.
    func write(_ events: [AuditEvent]) throws(OutputError)
    /// Writes a batch of raw records (`filter --records`).
    func write(records: [JSONValue]) throws(OutputError)
    /// Pushes buffered output out (a live run does after every batch).
    func flush() throws(OutputError)
    /// Flushes and closes.
    func close() throws(OutputError)
}
