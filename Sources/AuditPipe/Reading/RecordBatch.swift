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
    /// Records each of the user's text patterns made, by pattern (the first pattern first).
    public var patternRecords: [Int64] = []
    /// Records whose pattern's `time` group matched text that is no time auditpipe reads.
    public var unreadableTimes: Int64 = 0
    /// The first of them (lowest input, then line): where it is and its line.
    public var firstUnreadableTime: (position: SourcePosition, line: String)?

    /// Counts a record made by pattern `number` (1-based).
    mutating func countPattern(_ number: UInt8) { addPatternRecords(1, at: Int(number) - 1) }

    /// Adds (`sign` 1) or takes back (-1) a pattern-made record's counts, without its example line (commit
    /// accounting).
    mutating func count(_ notes: ParseNotes, sign: Int64) {
        addPatternRecords(sign, at: Int(notes.pattern) - 1)
        if notes.timeUnreadable { unreadableTimes += sign }
    }

    /// Adds `n` to the records of pattern `i` (0-based), growing the list to hold it.
    private mutating func addPatternRecords(_ n: Int64, at i: Int) {
        if patternRecords.count <= i { patternRecords += Array(repeating: 0, count: i + 1 - patternRecords.count) }
        patternRecords[i] += n
    }

    /// Counts a record whose time text was unreadable; keeps it as the example when it is the first.
    mutating func countUnreadableTime(at position: SourcePosition, line: @autoclosure () -> String) {
        unreadableTimes += 1
        if firstUnreadableTime == nil { firstUnreadableTime = (position, line()) }
    }

    public static func == (a: LineCounts, b: LineCounts) -> Bool {
        a.linesRead == b.linesRead && a.recordLines == b.recordLines && a.records == b.records
            && a.deadLettered == b.deadLettered && a.blank == b.blank && a.bytes == b.bytes
            && a.patternRecords == b.patternRecords && a.unreadableTimes == b.unreadableTimes
            && a.firstUnreadableTime?.position == b.firstUnreadableTime?.position
    }

    /// Adds another count into this one.
    public mutating func add(_ o: LineCounts) {
        linesRead += o.linesRead
        recordLines += o.recordLines
        records += o.records
        deadLettered += o.deadLettered
        blank += o.blank
        bytes += o.bytes
        for (i, n) in o.patternRecords.enumerated() where n > 0 { addPatternRecords(n, at: i) }
        unreadableTimes += o.unreadableTimes
        if let theirs = o.firstUnreadableTime {
            if let mine = firstUnreadableTime,
                (mine.position.input, mine.position.line) <= (theirs.position.input, theirs.position.line)
            {
                return
            }
            firstUnreadableTime = theirs
        }
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
