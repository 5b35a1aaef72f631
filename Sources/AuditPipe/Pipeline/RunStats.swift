/// What a run did, for the summary line and `--stats`: the accounting identity
/// `lines_read = record_lines + dead_lettered + blank` holds for every run.
public struct RunStats: Sendable {
    /// Line accounting over all inputs.
    public var lines = LineCounts()
    /// Inputs read.
    public var inputs = 0
    /// Events written.
    public var events: Int64 = 0
    /// Events (or, with `--records`, records) that passed the filter and were written.
    public var written: Int64 = 0
    /// Events flagged `partial`.
    public var partial: Int64 = 0
    /// Events flagged `late`.
    public var late: Int64 = 0
    /// Events flagged `uncorrelated`.
    public var uncorrelated: Int64 = 0
    /// Events flagged `split`.
    public var split: Int64 = 0
    /// Inputs that failed to open or read (missing file, truncated gzip...).
    public var inputErrors: [InputError] = []
    /// What the user should know but does not fail the run (an input directory with no files in it).
    public var warnings: [String] = []

    /// Creates empty stats.
    public init() {}

    /// True when every line read is accounted for.
    public var balances: Bool { lines.linesRead == lines.recordLines + lines.deadLettered + lines.blank }

    /// Counts an event's flags.
    mutating func count(_ e: AuditEvent) {
        events += 1
        if e.flags.contains(.partial) { partial += 1 }
        if e.flags.contains(.late) { late += 1 }
        if e.flags.contains(.uncorrelated) { uncorrelated += 1 }
        if e.flags.contains(.split) { split += 1 }
    }

    /// The `--stats` JSON document.
    public var json: String {
        var w = JSONWriter(capacity: 512)
        let fields: [(StaticString, Int64)] = [
            ("lines_read", lines.linesRead), ("record_lines", lines.recordLines), ("records", lines.records),
            ("events", events), ("written", written), ("dead_lettered", lines.deadLettered), ("blank", lines.blank),
            ("partial", partial), ("late", late), ("uncorrelated", uncorrelated), ("split", split),
            ("bytes_read", lines.bytes), ("inputs", Int64(inputs)), ("input_errors", Int64(inputErrors.count)),
        ]
        w.raw("{")
        for (i, (k, v)) in fields.enumerated() {
            if i > 0 { w.raw(",") }
            w.key(k)
            w.int(Int(v))
        }
        w.raw("}\n")
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// The one-line summary printed on stderr.
    public var summary: String {
        let check = balances ? "=" : "≠"
        return "auditpipe: \(lines.linesRead) lines read \(check) \(lines.recordLines) in \(lines.records) records"
            + " + \(lines.deadLettered) dead-lettered + \(lines.blank) blank; \(events) events"
            + " (\(partial) partial, \(late) late, \(uncorrelated) uncorrelated, \(split) split)"
            + " from \(inputs) input\(inputs == 1 ? "" : "s")"
            + (inputErrors.isEmpty ? "" : ", \(inputErrors.count) input error\(inputErrors.count == 1 ? "" : "s")")
    }
}
