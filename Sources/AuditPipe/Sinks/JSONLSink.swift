/// Writes events as JSON lines.
public final class JSONLSink: EventSink {
    private let file: OutputFile
    private var writer = JSONWriter(capacity: 64 << 10)

    /// Writes to `path` (`-` for standard output).
    public init(path: String) throws(OutputError) {
        file = try OutputFile(path: path)
    }

    public func write(_ events: [AuditEvent]) throws(OutputError) {
        writer.bytes.removeAll(keepingCapacity: true)
        for i in events.indices { EventJSONEncoder.encode(events[i], into: &writer) }
        try file.write(writer.bytes)
    }

    public func close() throws(OutputError) { try file.close() }
}
