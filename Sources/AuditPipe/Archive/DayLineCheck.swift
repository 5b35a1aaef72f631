/// `verify`'s line checks of a day's content, fed as it is inflated: each non-blank line is an audit event of
/// that day, in strictly increasing (start, event_id) order; it counts the lines and keeps the first problem.
struct DayLineCheck {
    let day: String
    /// Non-blank lines seen.
    private(set) var count = 0
    /// The first line out of place, as `verify` reports it.
    private(set) var problem: String?
    /// The first line's start and the last line's (start, event id).
    private(set) var first: String?
    private(set) var last: (String, String)?
    private var lines = LineAssembler()

    init(day: String) { self.day = day }

    /// Takes the next inflated bytes.
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        var assembler = LineAssembler()
        swap(&assembler, &lines)  // moved out, not copied: `line` mutates self
        assembler.feed(bytes) { line($0) }
        swap(&assembler, &lines)
    }

    /// Ends the content (a last line without a newline is a line).
    mutating func finish() {
        var assembler = LineAssembler()
        swap(&assembler, &lines)
        assembler.finish { line($0) }
    }

    private mutating func line(_ bytes: UnsafeBufferPointer<UInt8>) {
        count += 1
        guard problem == nil else { return }
        guard let (start, id) = EventLineKey.of(bytes) else {
            problem = "line \(count) is not an audit event"
            return
        }
        if let last, (start, id) <= last {
            problem = "reordered: line \(count) is out of start/event_id order"
            return
        }
        if String(start.prefix(10)) != day {
            problem = "line \(count) starts on \(start.prefix(10)), not on \(day)"
            return
        }
        first = first ?? start
        last = (start, id)
    }
}
