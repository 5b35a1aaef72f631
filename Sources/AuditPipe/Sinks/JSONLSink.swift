/// Writes events as JSON lines.
public final class JSONLSink: EventSink {
    private let file: OutputFile
    private var writer = JSONWriter(capacity: 64 << 10)

    /// Writes to `path` (`-` for standard output).
    public init(path: String, append: Bool = false) throws(OutputError) {
        file = try OutputFile(path: path, append: append)
    }

    /// Makes what was written durable; returns the file's length.
    public func sync() throws(OutputError) -> Int64 { try file.sync() }

    public func write(_ events: [AuditEvent]) throws(OutputError) {
        writer.removeAll()
        events.readEachInPlace { EventJSONEncoder.encode($0, into: &writer) }
        try writer.withBytes { (b) throws(OutputError) in try file.write(b) }
    }

    /// Writes raw records (`filter --records`), one JSON object a line.
    public func write(records: [JSONValue]) throws(OutputError) {
        writer.removeAll()
        records.readEachInPlace { r in
            writer.value(r)
            writer.raw("\n")
        }
        try writer.withBytes { (b) throws(OutputError) in try file.write(b) }
    }

    /// Pushes buffered output to the file or pipe.
    public func flush() throws(OutputError) { try file.flush() }

    public func close() throws(OutputError) { try file.close() }
}
