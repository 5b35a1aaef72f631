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

    /// The user's text patterns in the run (their counts are in `lines.patternRecords`).
    public var textPatterns = 0

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
        if textPatterns > 0 {
            w.raw(",")
            w.key("pattern_records")
            w.raw("[")
            for k in 0..<textPatterns {
                if k > 0 { w.raw(",") }
                w.int(Int(k < lines.patternRecords.count ? lines.patternRecords[k] : 0))
            }
            w.raw("],")
            w.key("pattern_misses")
            w.int(Int(patternMisses))
            w.raw(",")
            w.key("unreadable_times")
            w.int(Int(lines.unreadableTimes))
        }
        w.raw("}\n")
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// Records no text pattern made, and dead-lettered lines: the lines the patterns did not read.
    public var patternMisses: Int64 {
        lines.records - lines.patternRecords.reduce(0, +) + lines.deadLettered
    }

    /// Which pattern made how many records (`patterns: #1 8,120 records, #2 310, no match 4`), when the run has
    /// text patterns; a record's continuation lines are not counted apart. `no match` is `patternMisses`.
    public var patternSummary: String? {
        guard textPatterns > 0 else { return nil }
        var parts: [String] = []
        for k in 0..<textPatterns {
            let n = k < lines.patternRecords.count ? lines.patternRecords[k] : 0
            parts.append("#\(k + 1) \(Self.grouped(n))\(k == 0 ? " record\(n == 1 ? "" : "s")" : "")")
        }
        return "patterns: " + parts.joined(separator: ", ") + ", no match \(Self.grouped(patternMisses))"
    }

    /// `n` with thousands separated by commas.
    static func grouped(_ n: Int64) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }

    /// The one-line summary printed on stderr.
    public var summary: String {
        let check = balances ? "=" : "≠"
        return "auditpipe: \(lines.linesRead) lines read \(check) \(lines.recordLines) in \(lines.records) records"
            + " + \(lines.deadLettered) dead-lettered + \(lines.blank) blank; \(events) events"
            + " (\(partial) partial, \(late) late, \(uncorrelated) uncorrelated, \(split) split)"
            + " from \(inputs) input\(inputs == 1 ? "" : "s")"
            + (inputErrors.isEmpty ? "" : ", \(inputErrors.count) input error\(inputErrors.count == 1 ? "" : "s")")
            + (patternSummary.map { "; \($0)" } ?? "")
    }

    /// Notes the run's number of text patterns and warns of unreadable pattern times.
    mutating func notePatterns(_ count: Int, names: InputNames) {
        textPatterns = count
        if let w = unreadableTimeWarning(inputName: names.name(of:)) { warnings.append(w) }
    }

    /// The warning for records whose pattern's `time` group held no readable time (once per run: the count
    /// and the first example), naming its input with `inputName`.
    public func unreadableTimeWarning(inputName: (Int32) -> String) -> String? {
        guard lines.unreadableTimes > 0, let first = lines.firstUnreadableTime else { return nil }
        let n = lines.unreadableTimes
        return
            "\(Self.grouped(n)) record\(n == 1 ? "" : "s") matched a text pattern whose time group is no time auditpipe reads"
            + " (they take the time of the record before them); first: \(inputName(first.position.input)):\(first.position.line): \(first.line)"
            + " — capture ISO 8601, syslog, CLF/HTTPDATE, ctime or epoch text as time"
    }
}
