/// The years added to an input's yearless (syslog) times, read in order: one more each time their month goes
/// back by half a year or more (Dec → Jan). Just after a roll (the last time in January or February), a time
/// in November or December (a Dec 31 line logged just after Jan 1) belongs to the year before the roll, and
/// does not move the roll back; any other month ahead of the last one's is later in the same year (Mar → Oct).
struct YearRoll: Sendable {
    /// Years added so far.
    private(set) var rolled = 0
    /// The wall-clock month of the last yearless time, before any roll.
    private var lastMonth: Int?

    /// True once a yearless time has been seen.
    var started: Bool { lastMonth != nil }

    /// The years to add to the next yearless time, whose wall-clock month is `month` (1-12).
    mutating func years(forMonth month: Int) -> Int {
        if let last = lastMonth, last - month >= 6 {
            rolled += 1
            lastMonth = month
            return rolled
        }
        if rolled > 0, let last = lastMonth, last <= 2, month >= 11 { return rolled - 1 }
        lastMonth = month
        return rolled
    }
}
