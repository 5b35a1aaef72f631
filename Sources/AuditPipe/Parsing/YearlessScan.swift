/// A first pass over a file's lines that finds the year of its first syslog time (`Oct 11 06:55:46` at a line's
/// start, after an optional `<PRI>`), so that the years of its yearless times never run backwards and the last
/// one is at or before the file's modification time: the last one takes the year that puts it at or before
/// that time, and each year boundary (Dec → Jan, `YearRoll`) counted back from it moves the first one a year
/// earlier.
struct YearlessScan {
    private let timestamps: TimestampParser
    private var roll = YearRoll()
    /// The last yearless time's wall-clock date and second of the day, and the years rolled at it.
    private var last: (month: Int, day: Int, seconds: Int, years: Int)?

    /// A scan whose times are read in `timeZone` (nil: UTC).
    init(timeZone: TimeZoneRules?) {
        // 2000 is a leap year: `Feb 29` reads.
        timestamps = TimestampParser(assumedYear: 2000, timeZone: timeZone)
    }

    /// True once a yearless time has been seen.
    var found: Bool { last != nil }

    /// Looks at one line.
    mutating func scan(_ b: UnsafeBufferPointer<UInt8>) {
        var i = 0
        if i < b.count, b[i] == UInt8(ascii: "<") {
            i += 1
            while i < b.count, i <= 4, b[i] >= 48, b[i] <= 57 { i += 1 }
            guard i > 1, i < b.count, b[i] == UInt8(ascii: ">") else { return }
            i += 1
        }
        guard i < b.count, b[i] >= 65, b[i] <= 90, let (ns, _) = timestamps.parseSyslog(b, at: i) else { return }
        let secs = ns.quotientAndRemainderFlooring(dividingBy: UTCTime.second).0
        let local = secs + Int64(timestamps.timeZone?.offset(atUTC: secs) ?? 0)
        let (days, inDay) = local.quotientAndRemainderFlooring(dividingBy: 86_400)
        let date = UTCTime.civil(days: days)
        let years = roll.years(forMonth: date.month)
        last = (date.month, date.day, Int(inDay), years)
    }

    /// The year of the file's first yearless time when its last one is at or before `reference` (UTC seconds),
    /// or nil when the scan saw none.
    func firstYear(reference: Int64) -> Int? {
        guard let last else { return nil }
        let anchored = TimestampParser(assumedYear: 2000, yearReference: reference, timeZone: timestamps.timeZone)
        return anchored.syslogYear(month: last.month, day: last.day, seconds: last.seconds) - last.years
    }
}
