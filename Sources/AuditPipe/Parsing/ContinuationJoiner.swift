/// Joins continuation lines to the record above them, in input order, and fills in inherited times.
/// Holds back the last record until the next line shows whether it continues.
struct ContinuationJoiner {
    private var pending: LogRecord?
    private var pendingIsTimestampedText = false
    /// The last line was dead-lettered (a CSV row's further lines are counted with it).
    private var lastWasDeadLetter = false
    private var lastTime: Int64 = 0
    private let keepMessage: Bool
    private let maxMessageBytes: Int
    /// Keep each record's own lines in `LogRecord.raw` (a checkpointed follow run).
    var keepRaw = false
    private(set) var counts = LineCounts()
    /// A private key block begun on an earlier line is open: its bare body lines are masked here, as the input's
    /// order is known only here (records are redacted later, one by one).
    private var privateKeyOpen = false
    /// Reads the wall clock of yearless times for the year roll (`TimestampParser.addingYears`).
    var timestamps = TimestampParser(assumedYear: 1970)
    /// Years added to yearless times, one more at each New Year within the input.
    private var yearRoll = YearRoll()
    /// For an input with no end to count back from (standard input, a followed file): the time its first
    /// yearless time is at or before (the current time); later ones roll forward from it.
    var yearAnchor: Int64?
    /// Years between the pinned year and the first yearless time's, set by `yearAnchor`.
    private var anchorYears = 0

    init(keepMessage: Bool, maxMessageBytes: Int = 64 << 10) {
        self.keepMessage = keepMessage
        self.maxMessageBytes = maxMessageBytes
    }

    /// Joins one parsed batch; returns the records and dead letters that are final.
    mutating func join(_ parsed: consuming ParsedBatch, lines: LineBatch) -> RecordBatch {
        // The parsed records become the batch's, each changed where it lies: continuation lines are added to the
        // held-back record, the last of `records[..<kept]`; a record that was a continuation line is set aside,
        // and the records after it move down one slot each (moved, not copied).
        var records: [LogRecord] = []
        swap(&records, &parsed.records)
        let outcomes = parsed.outcomes
        var out = RecordBatch(input: lines.input, records: [], deadLetters: [])
        counts.linesRead += Int64(outcomes.count)
        var held = false
        if let carried = pending.take() {
            records.prepend(carried)
            held = true
        }
        var kept = held ? 1 : 0
        records.withUnsafeMutableBufferPointer { buffer in
            var next = kept
            var aside: UnsafeMutablePointer<LogRecord>?
            var asideCount = 0
            for k in outcomes.indices {
                let span = lines.lines[k]
                var keyBody = false
                if case .blank = outcomes[k] {
                } else {
                    let line = lines.bytes.withUnsafeBufferPointer {
                        SecretScanner.privateKeyLine(
                            UnsafeBufferPointer(rebasing: $0[Int(span.start)..<Int(span.start + span.length)]),
                            open: privateKeyOpen)
                    }
                    privateKeyOpen = line.open
                    keyBody = line.body
                }
                switch outcomes[k] {
                case .blank:
                    counts.blank += 1
                case .rowContinuation:
                    if lastWasDeadLetter || !held {
                        counts.deadLettered += 1
                    } else {
                        counts.recordLines += 1
                        buffer[kept - 1].lineCount += 1
                    }
                case .rejected(let reason, let detail, let hint):
                    if held, hint == .strong || (hint == .weak && pendingIsTimestampedText) {
                        lastWasDeadLetter = false
                        continueRecord(&buffer[kept - 1], lines, span, masked: keyBody)
                    } else {
                        lastWasDeadLetter = true
                        counts.deadLettered += 1
                        var d = deadLetter(lines, span, reason, detail)
                        if keyBody { d.raw = SecretScanner.mask }
                        out.deadLetters.append(d)
                    }
                case .record(let hint, let timestampedText):
                    lastWasDeadLetter = false
                    let at = next
                    next += 1
                    if held, hint == .strong || (hint == .weak && pendingIsTimestampedText) {
                        continueRecord(&buffer[kept - 1], lines, span, masked: keyBody)
                        if aside == nil { aside = .allocate(capacity: buffer.count - at) }
                        (aside! + asideCount).moveInitialize(from: buffer.baseAddress! + at, count: 1)
                        asideCount += 1
                        continue
                    }
                    if at != kept {
                        (buffer.baseAddress! + kept).moveInitialize(from: buffer.baseAddress! + at, count: 1)
                    }
                    admit(&buffer[kept], lines, span, keyBody: keyBody)
                    kept += 1
                    held = true
                    pendingIsTimestampedText = timestampedText
                }
            }
            // The slots left free at the end take the records set aside, to be removed with the array's own
            // bookkeeping.
            if let aside {
                (buffer.baseAddress! + kept).moveInitialize(from: aside, count: asideCount)
                aside.deallocate()
            }
        }
        records.removeSubrange(kept...)
        // On a pause in a live stream the last record is complete as far as anyone can tell: hand it on.
        // Otherwise it is held back until the next line shows whether it continues.
        if held, !lines.endsAtPause { pending = records.removeLast() }
        out.records = records
        out.handedOnTo =
            pending?.position ?? SourcePosition(input: lines.input, line: lines.endLine, offset: lines.endOffset)
        return out
    }

    /// Readies a record that starts a new entry: masks a key body, rolls its year, counts it, inherits its time.
    private mutating func admit(_ r: inout LogRecord, _ lines: LineBatch, _ span: LineSpan, keyBody: Bool) {
        if keyBody { Self.maskKeyBody(&r) }
        if r.notes.yearAssumed { rollYear(&r) }
        if r.notes.pattern > 0 {
            counts.countPattern(r.notes.pattern)
            if r.notes.timeUnreadable {
                counts.countUnreadableTime(
                    at: r.position,
                    line: String(
                        decoding: lines.bytes[Int(span.start)..<Int(span.start + min(span.length, 200))],
                        as: UTF8.self))
            }
        }
        if r.timeKnown { lastTime = r.time } else { r.time = lastTime }
        if r.idIrregular { r.requestID = RequestIDRule.normalize(r.requestID) }
        if keepRaw { r.raw = Array(lines.bytes[Int(span.start)..<Int(span.start + span.length)]) }
        counts.records += 1
        counts.recordLines += 1
    }

    /// A pinned year (`--year`, or the one the input's first pass found) is the year of the input's first
    /// yearless time; with `yearAnchor`, the first one takes the year that puts it at or before the anchor.
    /// Later ones roll forward at New Year (`YearRoll`).
    /// A `Feb 29` (read in a leap year at or before the pinned one) takes the last leap year at or before
    /// its rolled year.
    private mutating func rollYear(_ r: inout LogRecord) {
        let date = timestamps.localDate(r.time)
        // Years are counted from the pinned year; a Feb 29 was read in an earlier leap year.
        let base = timestamps.assumedYear
        if !yearRoll.started, let anchor = yearAnchor {
            anchorYears = date.year + timestamps.yearsToAnchor(r.time, reference: anchor) - base
        }
        var year = base + yearRoll.years(forMonth: date.month) + anchorYears
        if date.month == 2, date.day == 29 { year = TimestampParser.leapYear(atOrBefore: year) }
        if year != date.year { r.time = timestamps.addingYears(year - date.year, to: r.time) }
    }

    /// Starts from an earlier read's last timed line: untimed lines before the next timed one take `time`.
    mutating func inherit(_ time: Int64) { lastTime = time }

    /// Releases the held-back record at the end of input.
    mutating func finish() -> LogRecord? {
        defer { pending = nil }
        return pending
    }

    /// A record that is a private key's body line: its text masked (`-----END` and what follows it kept).
    private static func maskKeyBody(_ r: inout LogRecord) {
        if r.message != nil { r.message = Redactor.mask }
        if let extra = r.extra {
            r.extra = extra.map { m in
                if case .string = m.value { return JSONMember(m.key, .string(Redactor.mask)) }
                return m
            }
        }
    }

    /// Appends a continuation line; `masked`: it is a private key's body line, appended as `[REDACTED]`.
    private mutating func continueRecord(
        _ record: inout LogRecord, _ lines: LineBatch, _ span: LineSpan, masked: Bool = false
    ) {
        counts.recordLines += 1
        record.lineCount += 1
        if keepRaw {
            record.raw!.append(10)
            record.raw!.append(contentsOf: lines.bytes[Int(span.start)..<Int(span.start + span.length)])
        }
        guard keepMessage else { return }
        var message = record.message ?? ""
        guard message.utf8.count < maxMessageBytes else { return }
        let start = Int(span.start)
        let end = start + min(Int(span.length), maxMessageBytes - message.utf8.count)
        message += "\n" + (masked ? Redactor.mask : String(decoding: lines.bytes[start..<end], as: UTF8.self))
        record.message = message
    }

    private func deadLetter(_ lines: LineBatch, _ span: LineSpan, _ reason: DeadLetterReason, _ detail: String)
        -> DeadLetter
    {
        var start = Int(span.start)
        var length = Int(span.length)
        if reason == .invalidCSV || reason == .invalidJSON {
            // The row's or record's own text, without the marker and reason a document reader put in front of it.
            let skip = lines.bytes[start..<(start + length)].withUnsafeBufferPointer { b in
                reason == .invalidCSV
                    ? CSVDocumentSource.rejectedRow(b).rawStart
                    : b.starts(with: JSONDocumentSource.rejectedRecordMarker)
                        ? JSONDocumentSource.rejectedRecord(b).rawStart : 0
            }
            start += skip
            length -= skip
        }
        return DeadLetter(
            position: SourcePosition(input: lines.input, line: span.number, offset: span.offset),
            reason: reason, detail: detail, raw: Array(lines.bytes[start..<(start + length)]))
    }
}
