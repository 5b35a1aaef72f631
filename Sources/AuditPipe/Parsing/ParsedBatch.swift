/// A batch's lines as parsed, before continuation lines are joined: its records in line order, and what each
/// line was. The records are kept apart from the lines' outcomes so the joiner can hand on the array it was given
/// (a `[ParsedLine]` made it copy each record out of its line about six times).
struct ParsedBatch: Sendable {
    /// What one physical line was; a record line's record is the next of `records`.
    enum Outcome: Sendable {
        /// A record; `timestampedText` marks text formats whose untimestamped followers may be continuations.
        case record(hint: ContinuationHint, timestampedText: Bool)
        /// Only whitespace.
        case blank
        /// One more physical line of the CSV row above (`CSVDocumentSource.continuedRowMarker`).
        case rowContinuation
        /// Not parseable; `hint` is `.weak` when it may still continue a timestamped text record.
        case rejected(DeadLetterReason, detail: String, hint: ContinuationHint)
    }

    /// The record lines' records, in line order (one slot more is reserved for a record held back before them).
    var records: [LogRecord] = []
    /// One outcome a line, in line order.
    var outcomes: [Outcome] = []

    /// An empty batch with room for `lines` lines.
    init(capacity lines: Int) {
        records.reserveCapacity(lines + 1)
        outcomes.reserveCapacity(lines)
    }

    /// Adds the next line, a record line with its record. Inlined: a call took the record in a temporary and
    /// copied it into the array (~60 instructions a line).
    @inline(__always)
    mutating func append(_ record: consuming LogRecord, hint: ContinuationHint, timestampedText: Bool) {
        records.append(record)
        outcomes.append(.record(hint: hint, timestampedText: timestampedText))
    }

    /// Adds the next line, one that is no record.
    mutating func append(_ outcome: Outcome) {
        outcomes.append(outcome)
    }

    /// The first line, as one line alone is parsed.
    var firstLine: ParsedLine {
        switch outcomes[0] {
        case .record(let hint, let timestampedText): .record(records[0], hint: hint, timestampedText: timestampedText)
        case .blank: .blank
        case .rowContinuation: .rowContinuation
        case .rejected(let reason, let detail, let hint): .rejected(reason, detail: detail, hint: hint)
        }
    }
}
