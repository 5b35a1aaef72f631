/// Writes events as JSON lines.
public final class JSONLSink: EventSink {
    private let file: OutputFile
    private var writer = JSONWriter(capacity: 64 << 10)

    /// Writes to `path` (`-` for standard output).
    public init(path: String) throws(OutputError) {
        file = try OutputFile(path: path)
    }

    public func write(_ events: [AuditEvent]) throws(OutputError) {
        for e in events {
            writer.bytes.removeAll(keepingCapacity: true)
            EventJSONEncoder.encode(e, into: &writer)
            try file.write(writer.bytes)
        }
    }

    public func close() throws(OutputError) { try file.close() }
}
