/// Per-input line accounting: every line read is a record line, a dead-lettered line or a blank line.
public struct LineCounts: Sendable, Equatable {
    /// Lines read.
    public var linesRead: Int64 = 0
    /// Lines carried by records (continuation lines included).
    public var recordLines: Int64 = 0
    /// Records made.
    public var records: Int64 = 0
    /// Lines sent to the dead letter.
    public var deadLettered: Int64 = 0
    /// Blank lines.
    public var blank: Int64 = 0
    /// Bytes read (decompressed).
    public var bytes: Int64 = 0

    /// Adds another count into this one.
    public mutating func add(_ o: LineCounts) {
        linesRead += o.linesRead
        recordLines += o.recordLines
        records += o.records
        deadLettered += o.deadLettered
        blank += o.blank
        bytes += o.bytes
    }
}

/// A line that could not be parsed, kept whole for the dead-letter output.
public struct DeadLetter: Sendable {
    /// Where it came from.
    public var position: SourcePosition
    /// Why it was rejected.
    public var reason: DeadLetterReason
    /// Detail: column, parser message, real length.
    public var detail: String
    /// The raw line (its first `max-line-bytes` bytes for an over-long line).
    public var raw: [UInt8]
}

/// Records and rejected lines of one input, in input order: what the parse stage hands to the merge.
struct RecordBatch: Sendable {
    var input: Int32
    var records: [LogRecord]
    var deadLetters: [DeadLetter]
    /// Offset and number of the first line not yet handed on (a pending record's first line, or the line
    /// after the batch): every line before it is in `records`, dead-lettered, blank, or in an earlier batch.
    var handedOnTo = SourcePosition(input: 0, line: 1, offset: 0)
    /// A live input has had nothing to read for longer than the idle gap, and everything it read is in this
    /// batch or before it.
    var quiet = false
}
