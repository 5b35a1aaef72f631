/// The outcome of parsing one physical line, before continuation lines are joined.
enum ParsedLine: Sendable {
    /// A record; `timestampedText` marks text formats whose untimestamped followers may be continuations.
    case record(LogRecord, hint: ContinuationHint, timestampedText: Bool)
    /// Only whitespace.
    case blank
    /// One more physical line of the CSV row above (`CSVDocumentSource.continuedRowMarker`).
    case rowContinuation
    /// Not parseable; `hint` is `.weak` when it may still continue a timestamped text record.
    case rejected(DeadLetterReason, detail: String, hint: ContinuationHint)
}

/// Why a line went to the dead letter.
public enum DeadLetterReason: String, Sendable {
    case lineTooLong = "line_too_long"
    case binary = "binary"
    case invalidUTF8 = "invalid_utf8"
    case invalidJSON = "invalid_json"
    case invalidLogfmt = "invalid_logfmt"
    case unrecognized = "unrecognized"
    case orphanContinuation = "orphan_continuation"
    /// A CSV row with an unclosed quote (a truncated export).
    case invalidCSV = "invalid_csv"
}
