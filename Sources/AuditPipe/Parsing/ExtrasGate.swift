/// `filter --records`: whether a line's extra fields (the record's `fields`) are read at all.
///
/// Building the extras is a third of a JSON line's parse (a `String` and a tree per member), and a filter
/// writes few of the records it reads. So a line is parsed without them (and without its message) first;
/// when the record's settled paths already rule the filter out (`FilterExpression.verdict(parsed:)` is false)
/// that record is final — the filter drops it, and the joiner reads only its time, notes and hints — and
/// otherwise the line is parsed again whole.
/// The output is the same either way. When most lines come back for a second parse (a filter that keeps
/// most records), the lean pass costs more than it saves, so the gate counts the records of each window and
/// parses the next window whole when more than a third came back. (A filter no settled path can rule out,
/// such as one on `message`, has no gate at all.)
struct ExtrasGate {
    let filter: FilterExpression
    /// The current window parses lean first.
    private(set) var parsesLean = true
    /// Records counted in this window, and how many of them could not be ruled out.
    private var seen = 0
    private var kept = 0
    /// Records per window.
    static let window = 1024

    init(_ filter: FilterExpression) {
        self.filter = filter
    }

    /// True when the filter cannot match the record at `r`, from the paths its parse settles.
    func cannotMatch(_ r: UnsafePointer<LogRecord>) -> Bool { filter.verdict(parsedAt: r) == false }

    /// Counts a record; `kept`: it could not be ruled out (parsed lean, it had to be parsed again).
    mutating func count(kept isKept: Bool) {
        seen += 1
        if isKept { kept += 1 }
        guard seen == Self.window else { return }
        parsesLean = 3 * kept <= seen
        seen = 0
        kept = 0
    }
}
