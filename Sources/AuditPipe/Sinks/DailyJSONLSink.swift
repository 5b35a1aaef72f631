/// `--output-dir live/`: appends each event to `live/events-YYYY-MM-DD.jsonl` by the UTC day of its start
/// (the names come from timestamps only, so log content can never steer a path).
public final class DailyJSONLSink: EventSink {
    private let directory: String
    private var files: [String: OutputFile] = [:]
    private var writer = JSONWriter(capacity: 64 << 10)

    /// Creates the sink; the directory is created when missing.
    public init(directory: String) {
        self.directory = directory
        ArchiveLayout.makeDirectories(directory)
    }

    public func write(_ events: [AuditEvent]) throws(OutputError) {
        var byDay: [String: [Int]] = [:]
        for (i, e) in events.enumerated() { byDay[ArchiveLayout.day(of: e.start), default: []].append(i) }
        for day in byDay.keys.sorted() {
            writer.bytes.removeAll(keepingCapacity: true)
            for i in byDay[day]! { EventJSONEncoder.encode(events[i], into: &writer) }
            try file(for: day).write(writer.bytes)
        }
    }

    /// Raw records have no day of their own here; they are not written by this sink.
    public func write(records: [JSONValue]) throws(OutputError) {
        throw OutputError(path: directory, message: "--output-dir writes events, not --records")
    }

    public func flush() throws(OutputError) {
        for f in files.values { try f.flush() }
    }

    public func close() throws(OutputError) {
        for day in files.keys.sorted() { try files[day]!.close() }
        files = [:]
    }

    private func file(for day: String) throws(OutputError) -> OutputFile {
        if let f = files[day] { return f }
        let f = try OutputFile(path: directory + "/" + ArchiveLayout.liveName(day: day), append: true)
        files[day] = f
        return f
    }
}
