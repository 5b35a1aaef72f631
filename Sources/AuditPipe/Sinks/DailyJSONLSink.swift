/// `--output-dir live/`: appends each event to `live/events-YYYY-MM-DD.jsonl` by the UTC day of its start
/// (the names come from timestamps only, so log content can never steer a path).
///
/// Each day file it has open is held under a shared lock (`LiveFileLock`), so `archive` never rolls it
/// away under the writer. A file not written for `releaseAfter` is flushed, fsynced and closed, which
/// releases it to `archive`; the next event of that day opens the day's file by path again (a new one when
/// archive took the old away).
public final class DailyJSONLSink: EventSink {
    /// An open, locked day file and when it was last written (monotonic nanoseconds).
    private struct DayFile {
        var file: OutputFile
        var lastWrite: Int64
    }

    private let directory: String
    private let releaseAfter: Int64
    private var files: [String: DayFile] = [:]
    private var writer = JSONWriter(capacity: 64 << 10)

    /// Creates the sink; the directory is created when missing (throws when it cannot be). A day file idle for
    /// `releaseAfter` nanoseconds is closed (and its lock released) at the next write or flush.
    public init(directory: String, releaseAfter: Int64 = UTCTime.second) throws(OutputError) {
        self.directory = directory
        self.releaseAfter = releaseAfter
        try OutputFile.makeDirectory(directory)
    }

    public func write(_ events: [AuditEvent]) throws(OutputError) {
        var byDay: [String: [Int]] = [:]
        for (i, e) in events.enumerated() { byDay[ArchiveLayout.day(of: e.start), default: []].append(i) }
        let now = RunControl.now()
        for day in byDay.keys.sorted() {
            writer.removeAll()
            for i in byDay[day]! { EventJSONEncoder.encode(events[i], into: &writer) }
            let out = try file(for: day, now: now)
            try writer.withBytes { (b) throws(OutputError) in try out.write(b) }
        }
        try releaseIdle(now: now)
    }

    /// Raw records have no day of their own here; they are not written by this sink.
    public func write(records: [JSONValue]) throws(OutputError) {
        throw OutputError(path: directory, message: "--output-dir writes events, not --records")
    }

    /// Writes out what is buffered, then releases the day files idle for `releaseAfter` (a live run flushes
    /// after every batch and at every tick, so a quiet day's file is released within a tick of going idle).
    public func flush() throws(OutputError) {
        for f in files.values { try f.file.flush() }
        try releaseIdle(now: RunControl.now())
    }

    public func close() throws(OutputError) {
        for day in files.keys.sorted() { try files.removeValue(forKey: day)!.file.close() }
    }

    private func file(for day: String, now: Int64) throws(OutputError) -> OutputFile {
        if let f = files[day] {
            files[day]!.lastWrite = now
            return f.file
        }
        let path = directory + "/" + ArchiveLayout.liveName(day: day)
        let f = OutputFile(descriptor: try LiveFileLock.openForAppend(path), path: path)
        files[day] = DayFile(file: f, lastWrite: now)
        return f
    }

    /// Flushes, fsyncs and closes each day file not written for `releaseAfter`, releasing its lock.
    private func releaseIdle(now: Int64) throws(OutputError) {
        for (day, f) in files where now - f.lastWrite >= releaseAfter {
            files[day] = nil
            try f.file.close()
        }
    }
}
