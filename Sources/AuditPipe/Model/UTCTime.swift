/// Conversions between UTC nanoseconds since the Unix epoch and calendar fields / RFC 3339 text.
public enum UTCTime {
    /// Nanoseconds in one second.
    public static let second: Int64 = 1_000_000_000

    /// The number of days in `month` (1–12) of `year` (proleptic Gregorian).
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    @inlinable
    public static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return Int64(era * 146097 + doe - 719468)
    }

    /// The calendar date of a day number (inverse of `days`).
    @inlinable
    public static func civil(days z0: Int64) -> (year: Int, month: Int, day: Int) {
        let z = Int(z0) + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Appends `2026-11-21T10:00:00.123Z` (millisecond precision, always 24 bytes) to `out`.
    public static func appendRFC3339Millis(_ ns: Int64, to out: inout [UInt8]) {
        var text: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let n = withUnsafeMutableBytes(of: &text) { writeRFC3339Millis(ns, to: $0.bindMemory(to: UInt8.self)) }
        withUnsafeBytes(of: &text) { out.append(contentsOf: $0[..<n]) }
    }

    /// Writes `2026-11-21T10:00:00.123Z` into `out` (at least 24 bytes); returns how many bytes it wrote (24).
    /// Every `Int64` of nanoseconds falls in the years 1677–2262, so every field is at a fixed place, written
    /// two digits at a time.
    static func writeRFC3339Millis(_ ns: Int64, to out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let (secs, frac) = ns.quotientAndRemainderFlooring(dividingBy: second)
        let (days, sod) = secs.quotientAndRemainderFlooring(dividingBy: 86_400)
        let (y, m, d) = civil(days: days)
        if let p = out.baseAddress {
            // swift-format-ignore
            let pairs: StaticString = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
            pairs.withUTF8Buffer { t in
                func two(_ v: Int, _ at: Int) {
                    p[at] = t[2 * v]
                    p[at + 1] = t[2 * v + 1]
                }
                let ms = Int(frac / 1_000_000)
                let s = Int(sod)
                two(y / 100, 0)
                two(y % 100, 2)
                p[4] = UInt8(ascii: "-")
                two(m, 5)
                p[7] = UInt8(ascii: "-")
                two(d, 8)
                p[10] = UInt8(ascii: "T")
                two(s / 3600, 11)
                p[13] = UInt8(ascii: ":")
                two(s / 60 % 60, 14)
                p[16] = UInt8(ascii: ":")
                two(s % 60, 17)
                p[19] = UInt8(ascii: ".")
                p[20] = UInt8(truncatingIfNeeded: 48 + ms / 100)
                two(ms % 100, 21)
                p[23] = UInt8(ascii: "Z")
            }
            return 24
        }
        return 0
    }

    /// RFC 3339 text with millisecond precision.
    public static func rfc3339Millis(_ ns: Int64) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        appendRFC3339Millis(ns, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

extension Int64 {
    @inlinable
    func quotientAndRemainderFlooring(dividingBy d: Int64) -> (Int64, Int64) {
        var q = self / d
        var r = self % d
        if r < 0 {
            q -= 1
            r += d
        }
        return (q, r)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension UTCTime {
    /// Years whose every instant fits in UTC nanoseconds since 1970 (an `Int64`): what `--year` may pin.
    public static let representableYears = 1678...2261

    /// The wall clock now, UTC nanoseconds.
    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
