/// A POSIX `TZ` rule (`CET-1CEST,M3.5.0,M10.5.0/3`), as a TZif file's footer gives it for times past its
/// last listed change: a standard offset, and optionally a daylight offset with the days it starts and ends.
struct PosixTZRule: Sendable {
    /// Seconds east of UTC in standard time.
    let standard: Int32
    /// Seconds east of UTC in daylight time, when the zone has it.
    let daylight: Int32?
    /// When daylight time starts and ends (local wall time of the offset in force before each change).
    let start: Change?
    let end: Change?

    /// A day of the year and a time of day: `Mm.w.d` (the d-th weekday of week w of month m, 5 = last),
    /// `Jn` (day n, 1-365, no Feb 29) or `n` (day n, 0-365), then `/time`.
    struct Change: Sendable {
        enum Day: Sendable {
            case monthWeekDay(month: Int, week: Int, weekday: Int)
            case julianNoLeap(Int)
            case zeroBased(Int)
        }
        var day: Day
        var seconds: Int

        /// Local seconds since the epoch of this change in `year`.
        func local(in year: Int) -> Int64 {
            let days: Int64
            switch day {
            case .monthWeekDay(let month, let week, let weekday):
                let first = UTCTime.days(year: year, month: month, day: 1)
                // 1970-01-01 was a Thursday (4).
                let firstWeekday = Int(((first % 7) + 7 + 4) % 7)
                var d = first + Int64((weekday - firstWeekday + 7) % 7) + Int64(7 * (week - 1))
                let nextMonth =
                    month == 12
                    ? UTCTime.days(year: year + 1, month: 1, day: 1)
                    : UTCTime.days(year: year, month: month + 1, day: 1)
                while d >= nextMonth { d -= 7 }
                days = d
            case .julianNoLeap(let n):
                let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
                days = UTCTime.days(year: year, month: 1, day: 1) + Int64(n - 1) + (leap && n >= 60 ? 1 : 0)
            case .zeroBased(let n):
                days = UTCTime.days(year: year, month: 1, day: 1) + Int64(n)
            }
            return days * 86_400 + Int64(seconds)
        }
    }

    /// Parses a rule; nil when it is not one this reader understands.
    init?(_ text: String) {
        var b = Array(text.utf8)[...]
        func name() -> Bool {
            if b.first == UInt8(ascii: "<") {
                guard let close = b.firstIndex(of: UInt8(ascii: ">")) else { return false }
                b = b[(close + 1)...]
                return true
            }
            var n = 0
            while let c = b.first, (c >= 65 && c <= 90) || (c >= 97 && c <= 122) {
                b = b.dropFirst()
                n += 1
            }
            return n >= 3
        }
        // `[+-]hh[:mm[:ss]]`, as seconds.
        func time() -> Int? {
            var sign = 1
            if let c = b.first, c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                if c == UInt8(ascii: "-") { sign = -1 }
                b = b.dropFirst()
            }
            var parts: [Int] = []
            while parts.count < 3 {
                var v = 0
                var digits = 0
                while let c = b.first, c >= 48, c <= 57 {
                    v = v * 10 + Int(c - 48)
                    digits += 1
                    b = b.dropFirst()
                }
                guard digits > 0 else { return nil }
                parts.append(v)
                guard b.first == UInt8(ascii: ":") else { break }
                b = b.dropFirst()
            }
            guard !parts.isEmpty else { return nil }
            return sign * (parts[0] * 3600 + (parts.count > 1 ? parts[1] * 60 : 0) + (parts.count > 2 ? parts[2] : 0))
        }
        func number() -> Int? {
            var v = 0
            var digits = 0
            while let c = b.first, c >= 48, c <= 57 {
                v = v * 10 + Int(c - 48)
                digits += 1
                b = b.dropFirst()
            }
            return digits > 0 ? v : nil
        }
        func change() -> Change? {
            let day: Change.Day
            if b.first == UInt8(ascii: "M") {
                b = b.dropFirst()
                guard let m = number(), b.popFirst() == UInt8(ascii: "."), let w = number(),
                    b.popFirst() == UInt8(ascii: "."), let d = number(), (1...12).contains(m), (1...5).contains(w),
                    (0...6).contains(d)
                else { return nil }
                day = .monthWeekDay(month: m, week: w, weekday: d)
            } else if b.first == UInt8(ascii: "J") {
                b = b.dropFirst()
                guard let n = number(), (1...365).contains(n) else { return nil }
                day = .julianNoLeap(n)
            } else {
                guard let n = number(), (0...365).contains(n) else { return nil }
                day = .zeroBased(n)
            }
            var seconds = 7200
            if b.first == UInt8(ascii: "/") {
                b = b.dropFirst()
                guard let t = time() else { return nil }
                seconds = t
            }
            return Change(day: day, seconds: seconds)
        }
        // POSIX offsets are west of UTC: `CET-1` is UTC+1.
        guard name(), let std = time() else { return nil }
        standard = Int32(-std)
        guard !b.isEmpty else {
            daylight = nil
            start = nil
            end = nil
            return
        }
        guard b.first != UInt8(ascii: ","), name() else { return nil }
        var dst = -std + 3600
        if let c = b.first, c != UInt8(ascii: ",") {
            guard let t = time() else { return nil }
            dst = -t
        }
        daylight = Int32(dst)
        guard b.popFirst() == UInt8(ascii: ","), let s = change(), b.popFirst() == UInt8(ascii: ","),
            let e = change(), b.isEmpty
        else { return nil }
        start = s
        end = e
    }

    /// The offset in force at `utc` (seconds since the epoch).
    func offset(atUTC utc: Int64) -> Int32 {
        guard let daylight, let start, let end else { return standard }
        let year = UTCTime.civil(
            days: (utc + Int64(standard)) >= 0
                ? (utc + Int64(standard)) / 86_400 : (utc + Int64(standard) - 86_399) / 86_400
        ).year
        // Each change is written in the local time of the offset in force before it.
        let starts = start.local(in: year) - Int64(standard)
        let ends = end.local(in: year) - Int64(daylight)
        if starts < ends {
            return utc >= starts && utc < ends ? daylight : standard
        }
        // Southern hemisphere: daylight time spans New Year.
        return utc >= ends && utc < starts ? standard : daylight
    }
}
