/// Parses the timestamp forms logs use, from bytes, into UTC nanoseconds.
///
/// RFC 3339 / ISO 8601 (any fraction, seconds optional, `Z`, `±HH:MM`, `±HHMM`, or none = UTC, `T` or space),
/// Python's `2017-05-16 00:00:00,008`, epoch seconds/ms/µs/ns (by magnitude), CLF
/// `10/Oct/2000:13:55:36 -0700`, ctime `Sun Dec 04 04:47:44 2005` and syslog `Oct 11 22:14:15`
/// (year from `assumedYear`, or inferred from a reference time such as the file's modification time).
/// Times written without an offset are read in `timeZone` (UTC when nil).
public struct TimestampParser: Sendable {
    /// Year used for syslog timestamps, which carry none.
    public var assumedYear: Int
    /// When set (UTC seconds, e.g. the file's modification time), a syslog timestamp takes the year that puts
    /// it at or before this time (a day's slack for local clocks): `Dec 31` in a file modified on 2 January
    /// is last year's, `Jan 1 00:10` in a file modified late on 31 December is next year's.
    public var yearReference: Int64?
    /// The zone times written without an offset are read in (syslog, ctime, ISO 8601 without `Z` or an
    /// offset); nil reads them as UTC.
    public let timeZone: TimeZoneRules?
    /// `yearReference` as wall-clock seconds in `timeZone`.
    private let localReference: Int64?
    private let referenceYear: Int

    /// Creates a parser; `assumedYear` fills in syslog's missing year unless `yearReference` is given;
    /// `timeZone` is the zone of times written without an offset (nil: UTC).
    public init(assumedYear: Int, yearReference: Int64? = nil, timeZone: TimeZoneRules? = nil) {
        self.assumedYear = assumedYear
        self.yearReference = yearReference
        self.timeZone = timeZone
        let local = yearReference.map { $0 + Int64(timeZone?.offset(atUTC: $0) ?? 0) }
        localReference = local
        referenceYear =
            local.map { UTCTime.civil(days: $0 >= 0 ? $0 / 86_400 : ($0 - 86_399) / 86_400).year }
            ?? assumedYear
    }

    /// True when a syslog time takes the pinned `assumedYear` (no reference to infer the year from): such
    /// records are marked so the joiner can roll the year forward across New Year.
    public var assumesYear: Bool { yearReference == nil }

    /// True when `b` starts with a month name and a space (syslog's yearless `Dec 31 23:59:59`).
    static func startsYearless(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        // `Jan 1 00:00:03` (a day without its padding space) is 14 bytes.
        b.count >= 14 && month(b, 0) != nil && b[3] == 32
    }

    /// The last leap year at or before `year` (the year a yearless `Feb 29` can be in).
    static func leapYear(atOrBefore year: Int) -> Int {
        var y = year
        while UTCTime.daysInMonth(year: y, month: 2) < 29 { y -= 1 }
        return y
    }

    /// The same wall-clock date and time `years` later, in UTC nanoseconds (for the joiner's year roll).
    func addingYears(_ years: Int, to ns: Int64) -> Int64 {
        let (secs, frac) = ns.quotientAndRemainderFlooring(dividingBy: UTCTime.second)
        let local = secs + Int64(timeZone?.offset(atUTC: secs) ?? 0)
        let (days, sod) = local.quotientAndRemainderFlooring(dividingBy: 86_400)
        let (y, m, d) = UTCTime.civil(days: days)
        let moved = UTCTime.days(year: y + years, month: m, day: d) * 86_400 + sod
        return Self.nanos(utc(fromLocal: moved), frac) ?? ns
    }

    /// The years to add to `ns` (a yearless time read in `assumedYear`) to put it at or before `reference`
    /// (UTC seconds, a day's slack), as `yearReference` would.
    func yearsToAnchor(_ ns: Int64, reference: Int64) -> Int {
        let secs = ns.quotientAndRemainderFlooring(dividingBy: UTCTime.second).0
        let local = secs + Int64(timeZone?.offset(atUTC: secs) ?? 0)
        let (days, inDay) = local.quotientAndRemainderFlooring(dividingBy: 86_400)
        let date = UTCTime.civil(days: days)
        let anchored = TimestampParser(assumedYear: date.year, yearReference: reference, timeZone: timeZone)
        return anchored.syslogYear(month: date.month, day: date.day, seconds: Int(inDay)) - date.year
    }

    /// The date of `ns` on the wall clock of `timeZone`.
    func localDate(_ ns: Int64) -> (year: Int, month: Int, day: Int) {
        let secs = ns.quotientAndRemainderFlooring(dividingBy: UTCTime.second).0
        let local = secs + Int64(timeZone?.offset(atUTC: secs) ?? 0)
        return UTCTime.civil(days: local.quotientAndRemainderFlooring(dividingBy: 86_400).0)
    }

    /// UTC seconds of wall-clock seconds read without an offset.
    @inline(__always)
    func utc(fromLocal seconds: Int64) -> Int64 {
        guard let timeZone else { return seconds }
        return timeZone.utc(fromLocal: seconds)
    }

    /// The year a syslog date (month, day, seconds into the day) falls in.
    func syslogYear(month: Int, day: Int, seconds: Int) -> Int {
        guard let reference = localReference else { return assumedYear }
        let slack: Int64 = 86_400
        func at(_ year: Int) -> Int64 { UTCTime.days(year: year, month: month, day: day) * 86_400 + Int64(seconds) }
        if at(referenceYear + 1) <= reference + slack { return referenceYear + 1 }
        if at(referenceYear) <= reference + slack { return referenceYear }
        return referenceYear - 1
    }

    /// Parses a whole field value (string or number text) as a timestamp.
    public func parseValue(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard !b.isEmpty else { return nil }
        if let (ns, end) = parseISO(b, at: 0), end == b.count { return ns }
        if let ns = Self.parseEpoch(b) { return ns }
        if let (ns, end) = parseCLF(b, at: 0), end == b.count { return ns }
        if let (ns, end) = parseCtime(b, at: 0), end == b.count { return ns }
        if let (ns, end) = parseSyslog(b, at: 0), end == b.count { return ns }
        return nil
    }

    /// Parses a timestamp at the start of a text line: ISO, syslog, ctime, or `[ctime]` / `[CLF]` in brackets.
    /// Returns the time and the index just past it.
    public func parseLeading(_ b: UnsafeBufferPointer<UInt8>, at start: Int) -> (Int64, Int)? {
        guard start < b.count else { return nil }
        let c = b[start]
        if c >= 48 && c <= 57 { return parseISO(b, at: start) }
        if c == UInt8(ascii: "[") {
            if let (ns, end) = parseCtime(b, at: start + 1), end < b.count, b[end] == UInt8(ascii: "]") {
                return (ns, end + 1)
            }
            if let (ns, end) = parseCLF(b, at: start + 1), end < b.count, b[end] == UInt8(ascii: "]") {
                return (ns, end + 1)
            }
            if let (ns, end) = parseISO(b, at: start + 1), end < b.count, b[end] == UInt8(ascii: "]") {
                return (ns, end + 1)
            }
            return nil
        }
        if c >= 65 && c <= 90 {
            // A bare ctime (`Sun Dec  4 04:47:44 2005 message`, Apache's error log): a weekday, then the date.
            if Self.weekday(b, start), let (ns, end) = parseCtime(b, at: start),
                end == b.count || b[end] < 48 || b[end] > 57
            {
                return (ns, end)
            }
            return parseSyslog(b, at: start)
        }
        return nil
    }

    /// True when `b` holds an English weekday abbreviation (`Sun`…`Sat`, any case) at `i`.
    static func weekday(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        guard i + 3 <= b.count else { return false }
        let key = (UInt32(b[i] | 0x20) << 16) | (UInt32(b[i + 1] | 0x20) << 8) | UInt32(b[i + 2] | 0x20)
        switch key {
        case 0x73_756e, 0x6d_6f6e, 0x74_7565, 0x77_6564, 0x74_6875, 0x66_7269, 0x73_6174: return true
        default: return false
        }
    }

    /// ISO 8601 / RFC 3339 date-time starting at `i`.
    public func parseISO(_ b: UnsafeBufferPointer<UInt8>, at i0: Int) -> (Int64, Int)? {
        var i = i0
        let n = b.count
        guard i + 16 <= n,
            let year = Self.digits(b, i, 4), b[i + 4] == 45,
            let month = Self.digits(b, i + 5, 2), b[i + 7] == 45,
            let day = Self.digits(b, i + 8, 2),
            b[i + 10] == UInt8(ascii: "T") || b[i + 10] == UInt8(ascii: " ") || b[i + 10] == UInt8(ascii: "t"),
            let hour = Self.digits(b, i + 11, 2), b[i + 13] == 58,
            let minute = Self.digits(b, i + 14, 2),
            month >= 1, month <= 12, day >= 1, day <= UTCTime.daysInMonth(year: year, month: month), hour <= 23,
            minute <= 59
        else { return nil }
        // Seconds may be left out (`2026-11-20T10:15Z`, grok's TIMESTAMP_ISO8601 allows it): the minute's start.
        var sec = 0
        let hasSeconds = i + 16 < n && b[i + 16] == 58
        if hasSeconds {
            guard let s = Self.digits(b, i + 17, 2), s <= 60 else { return nil }
            sec = s
            i += 19
        } else {
            if i + 16 < n, b[i + 16] >= 48, b[i + 16] <= 57 { return nil }
            i += 16
        }
        var frac: Int64 = 0
        if hasSeconds, i < n, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
            i += 1
            var scale: Int64 = 100_000_000
            let fracStart = i
            while i < n, b[i] >= 48, b[i] <= 57 {
                frac += Int64(b[i] - 48) * scale
                scale /= 10
                i += 1
            }
            if i == fracStart { return nil }
        }
        var offsetSeconds: Int64?
        if i < n {
            let c = b[i]
            if c == UInt8(ascii: "Z") || c == UInt8(ascii: "z") {
                offsetSeconds = 0
                i += 1
            } else if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                guard let oh = Self.digits(b, i + 1, 2) else { return nil }
                var j = i + 3
                var om = 0
                if j < n, b[j] == 58 {
                    guard let m = Self.digits(b, j + 1, 2) else { return nil }
                    om = m
                    j += 3
                } else if let m = Self.digits(b, j, 2) {
                    om = m
                    j += 2
                }
                offsetSeconds = Int64(oh * 3600 + om * 60) * (c == UInt8(ascii: "-") ? -1 : 1)
                i = j
            }
        }
        let days = UTCTime.days(year: year, month: month, day: day)
        let wall = days * 86_400 + Int64(hour * 3600 + minute * 60 + sec)
        let secs = offsetSeconds.map { wall - $0 } ?? utc(fromLocal: wall)
        return Self.nanos(secs, frac).map { ($0, i) }
    }

    /// CLF `10/Oct/2000:13:55:36 -0700` starting at `i`.
    public func parseCLF(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> (Int64, Int)? {
        guard i + 26 <= b.count,
            let day = Self.digits(b, i, 2), b[i + 2] == 47,
            let month = Self.month(b, i + 3), b[i + 6] == 47,
            let year = Self.digits(b, i + 7, 4), b[i + 11] == 58,
            let hour = Self.digits(b, i + 12, 2), b[i + 14] == 58,
            let minute = Self.digits(b, i + 15, 2), b[i + 17] == 58,
            let sec = Self.digits(b, i + 18, 2), b[i + 20] == 32,
            b[i + 21] == UInt8(ascii: "+") || b[i + 21] == UInt8(ascii: "-"),
            let oh = Self.digits(b, i + 22, 2), let om = Self.digits(b, i + 24, 2)
        else { return nil }
        let offset = Int64(oh * 3600 + om * 60) * (b[i + 21] == UInt8(ascii: "-") ? -1 : 1)
        let secs =
            UTCTime.days(year: year, month: month, day: day) * 86_400 + Int64(hour * 3600 + minute * 60 + sec)
            - offset
        return Self.nanos(secs, 0).map { ($0, i + 26) }
    }

    /// ctime `Sun Dec 04 04:47:44 2005` starting at `i`; also with a fraction of a second
    /// (`Sun Dec 04 04:47:44.123456 2005`, Apache 2.4's error log).
    public func parseCtime(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> (Int64, Int)? {
        guard i + 23 <= b.count, b[i + 3] == 32, let month = Self.month(b, i + 4), b[i + 7] == 32 else { return nil }
        // The day space-padded (`Dec  4`), zero-padded (`Dec 04`) or unpadded (`Dec 4`, one byte shorter).
        let day: Int
        let t: Int
        if let d = Self.digitsSpacePadded(b, i + 8), b[i + 10] == 32 {
            (day, t) = (d, i + 11)
        } else if let d = Self.digits(b, i + 8, 1), b[i + 9] == 32 {
            (day, t) = (d, i + 10)
        } else {
            return nil
        }
        guard t + 13 <= b.count, let hour = Self.digits(b, t, 2), b[t + 2] == 58,
            let minute = Self.digits(b, t + 3, 2), b[t + 5] == 58,
            let sec = Self.digits(b, t + 6, 2)
        else { return nil }
        var j = t + 8
        var frac: Int64 = 0
        if b[j] == UInt8(ascii: "."), j + 1 < b.count, b[j + 1] >= 48, b[j + 1] <= 57 {
            j += 1
            var scale: Int64 = 100_000_000
            while j < b.count, b[j] >= 48, b[j] <= 57 {
                frac += Int64(b[j] - 48) * scale
                scale /= 10
                j += 1
            }
        }
        guard j + 5 <= b.count, b[j] == 32, let year = Self.digits(b, j + 1, 4) else { return nil }
        let secs = utc(
            fromLocal: UTCTime.days(year: year, month: month, day: day) * 86_400
                + Int64(hour * 3600 + minute * 60 + sec))
        return Self.nanos(secs, frac).map { ($0, j + 5) }
    }

    /// syslog (RFC 3164) `Oct 11 22:14:15` starting at `i`; the year is `assumedYear` or inferred (`yearReference`).
    /// Also the day unpadded (`Dec 1 06:55:46`) and a fraction of a second (`Dec 10 06:55:47.123`), which
    /// grok's SYSLOGTIMESTAMP matches and some daemons write.
    public func parseSyslog(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> (Int64, Int)? {
        guard i + 14 <= b.count, let month = Self.month(b, i), b[i + 3] == 32 else { return nil }
        var j = i + 4
        let day: Int
        if let d = Self.digitsSpacePadded(b, j), b[j + 2] == 32 {
            day = d
            j += 3
        } else if let d = Self.digits(b, j, 1), b[j + 1] == 32 {
            day = d
            j += 2
        } else {
            return nil
        }
        guard let hour = Self.digits(b, j, 2), j + 8 <= b.count, b[j + 2] == 58,
            let minute = Self.digits(b, j + 3, 2), b[j + 5] == 58,
            let sec = Self.digits(b, j + 6, 2), day >= 1, day <= 31, hour < 24, minute < 60, sec < 61
        else { return nil }
        j += 8
        var frac: Int64 = 0
        if j + 1 < b.count, b[j] == UInt8(ascii: "."), b[j + 1] >= 48, b[j + 1] <= 57 {
            j += 1
            var scale: Int64 = 100_000_000
            while j < b.count, b[j] >= 48, b[j] <= 57 {
                frac += Int64(b[j] - 48) * scale
                scale /= 10
                j += 1
            }
        }
        let inDay = hour * 3600 + minute * 60 + sec
        var year = syslogYear(month: month, day: day, seconds: inDay)
        // Feb 29 is the last leap year's, at or before the year chosen (the joiner moves it to its rolled year).
        if month == 2, day == 29 { year = Self.leapYear(atOrBefore: year) }
        // A date the year does not have (Apr 31) is no time, not the next month's.
        guard day <= UTCTime.daysInMonth(year: year, month: month) else { return nil }
        let secs = utc(fromLocal: UTCTime.days(year: year, month: month, day: day) * 86_400 + Int64(inDay))
        return Self.nanos(secs, frac).map { ($0, j) }
    }

    /// Epoch number text: seconds (with optional fraction), milliseconds, microseconds or nanoseconds,
    /// chosen by magnitude of the integer part.
    public static func parseEpoch(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        let n = b.count
        // Ten to eighteen digits (no sum can overflow), then up to nine decimals used (`1795255200.025886`,
        // zap's `ts`; `1795255200123`, pino's `time`): the first eight digits read as one word, what the loops below
        // give in a third of their instructions. Any other text is read by the loops.
        if n >= 10, let base = b.baseAddress,
            case let first = UnsafeRawPointer(base).loadUnaligned(as: UInt64.self), Self.isEightDigits(first)
        {
            var intPart = Int64(Self.eightDigitsValue(first))
            var k = 8
            while k < n, k < 18, base[k] &- 48 <= 9 {
                intPart = intPart &* 10 &+ Int64(base[k] &- 48)
                k &+= 1
            }
            var frac: Int64 = 0
            var fracDigits = 0
            if k >= 10, k < n, base[k] == UInt8(ascii: ".") {
                k &+= 1
                while k < n, base[k] &- 48 <= 9 {
                    if fracDigits < 9 {
                        frac = frac &* 10 &+ Int64(base[k] &- 48)
                        fracDigits &+= 1
                    }
                    k &+= 1
                }
            }
            if k >= 10 && k == n {
                frac &*= Self.decimalScale[9 - fracDigits]
                guard intPart >= 100_000_000 else { return nil }
                return Self.epoch(intPart, frac)
            }
        }
        var i = 0
        var intPart: Int64 = 0
        var intDigits = 0
        while i < n, b[i] >= 48, b[i] <= 57 {
            // 19 digits can pass Int64.max: a number that does is no time, not an overflow trap.
            let (tens, o1) = intPart.multipliedReportingOverflow(by: 10)
            let (next, o2) = tens.addingReportingOverflow(Int64(b[i] - 48))
            guard intDigits < 19, !o1, !o2 else { return nil }
            intPart = next
            intDigits += 1
            i += 1
        }
        guard intDigits > 0 else { return nil }
        var frac: Int64 = 0
        if i < n, b[i] == UInt8(ascii: ".") {
            i += 1
            var scale: Int64 = 100_000_000
            while i < n, b[i] >= 48, b[i] <= 57 {
                frac += Int64(b[i] - 48) * scale
                scale /= 10
                i += 1
            }
        }
        // Numbers below 1e8 (before 1973-03-03 as seconds) are durations or counters, not epoch times
        // (a HAR entry's `time` is its duration in ms).
        guard i == n, intPart >= 100_000_000 else { return nil }
        return epoch(intPart, frac)
    }

    /// An epoch number's integer part (at least 1e8) and its fraction in nanoseconds as UTC nanoseconds, its unit
    /// chosen by the integer part's magnitude.
    @inline(__always)
    private static func epoch(_ intPart: Int64, _ frac: Int64) -> Int64? {
        switch intPart {
        case ..<100_000_000_000: return Self.nanos(intPart, frac)
        case ..<100_000_000_000_000: return Self.scaled(intPart, 1_000_000, frac / 1000)
        case ..<100_000_000_000_000_000: return Self.scaled(intPart, 1000, frac / 1_000_000)
        default: return intPart
        }
    }

    /// True when the eight bytes of `w` (read little-endian) are ASCII digits: each byte's high nibble is 3, and
    /// stays 3 with 6 added (no sum carries out of its byte).
    @inline(__always)
    static func isEightDigits(_ w: UInt64) -> Bool {
        let nibbles: UInt64 = 0xF0F0_F0F0_F0F0_F0F0
        let threes: UInt64 = 0x3030_3030_3030_3030
        return w & nibbles == threes && (w &+ 0x0606_0606_0606_0606) & nibbles == threes
    }

    /// The number eight ASCII digits (`isEightDigits`) read little-endian in `w` write, the first the most
    /// significant: pairs, then fours, then the eight combined in place.
    @inline(__always)
    static func eightDigitsValue(_ w: UInt64) -> UInt64 {
        var v = w &- 0x3030_3030_3030_3030
        v = (v &* 10 &+ v &>> 8) & 0x00FF_00FF_00FF_00FF
        v = (v &* 100 &+ v &>> 16) & 0x0000_FFFF_0000_FFFF
        return (v &* 10000 &+ v &>> 32) & 0xFFFF_FFFF
    }

    /// `decimalScale[j]`: 10 to the power `j`, for the nanoseconds of a fraction of `9 - j` digits.
    static let decimalScale: [Int64] = [
        1, 10, 100, 1000, 10000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
    ]

    /// Seconds and a fraction in nanoseconds as UTC nanoseconds, or nil outside what an Int64 of nanoseconds
    /// holds (1677-09-21 to 2262-04-11): a year-9999 timestamp is no time rather than an overflow.
    static func nanos(_ secs: Int64, _ frac: Int64) -> Int64? { scaled(secs, UTCTime.second, frac) }

    /// `value * unit + plus` for `plus` in `0..<unit`, or nil when that is outside an Int64.
    static func scaled(_ value: Int64, _ unit: Int64, _ plus: Int64) -> Int64? {
        let (product, o1) = value.multipliedReportingOverflow(by: unit)
        if !o1 {
            let (sum, o2) = product.addingReportingOverflow(plus)
            return o2 ? nil : sum
        }
        // The earliest second (1677-09-21T00:12:43Z) starts before Int64.min while its last 854775808 ns are in
        // range: counted from the next second down, those are times, as the same instants are at the other end.
        guard value < 0 else { return nil }
        let (next, o3) = (value + 1).multipliedReportingOverflow(by: unit)
        if o3 { return nil }
        let (sum, o4) = next.addingReportingOverflow(plus - unit)
        if !o4 { return sum }
        // auditpipe writes times floored to the millisecond, so the earliest instant is written
        // `…43.145Z`, 224,192 ns before it: a time in that millisecond reads as the earliest instant, not as
        // no time (an event that starts there must read back as it was written).
        let below = (Int64.min - next) - (plus - unit)
        return below <= Self.earliestMillisecondSlack ? Int64.min : nil
    }

    /// How far the millisecond that holds `Int64.min` (1677-09-21T00:12:43.145224192Z) starts before it.
    static let earliestMillisecondSlack: Int64 = (UTCTime.second + Int64.min % UTCTime.second) % 1_000_000

    @inline(__always)
    static func digits(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ count: Int) -> Int? {
        guard i + count <= b.count else { return nil }
        var v = 0
        for k in i..<(i + count) {
            let c = b[k]
            guard c >= 48, c <= 57 else { return nil }
            v = v * 10 + Int(c - 48)
        }
        return v
    }

    @inline(__always)
    static func digitsSpacePadded(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        guard i + 2 <= b.count else { return nil }
        if b[i] == 32 { return digits(b, i + 1, 1) }
        return digits(b, i, 2)
    }

    static func month(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        guard i + 3 <= b.count else { return nil }
        let key = (UInt32(b[i] | 0x20) << 16) | (UInt32(b[i + 1] | 0x20) << 8) | UInt32(b[i + 2] | 0x20)
        switch key {
        case 0x6a_616e: return 1
        case 0x66_6562: return 2
        case 0x6d_6172: return 3
        case 0x61_7072: return 4
        case 0x6d_6179: return 5
        case 0x6a_756e: return 6
        case 0x6a_756c: return 7
        case 0x61_7567: return 8
        case 0x73_6570: return 9
        case 0x6f_6374: return 10
        case 0x6e_6f76: return 11
        case 0x64_6563: return 12
        default: return nil
        }
    }
}
