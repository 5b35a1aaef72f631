/// A destination for audit events.
public protocol EventSink {
    /// Writes a batch of events.
    func write(_ events: [AuditEvent]) throws(OutputError)
    /// Flushes and closes.
    func close() throws(OutputError)
}
