/// Durations written as `250ms`, `2s`, `5m`, `1h`, `7d`, `1h30m` or `0`, in nanoseconds, up to 100 years
/// (a time plus or minus one still needs `plus(saturating:)`: a log may state a time near either end of
/// the range).
public enum DurationText {
    /// The longest duration accepted: 36,500 days.
    public static let maximum: Int64 = 36_500 * 86_400 * UTCTime.second

    /// Parses a duration; nil when malformed or longer than `maximum`.
    public static func parse(_ text: String) -> Int64? {
        if text == "0" { return 0 }
        var total: Int64 = 0
        var number: Int64 = 0
        var digits = 0
        var chars = Array(text.utf8)[...]
        guard !chars.isEmpty else { return nil }
        while let c = chars.first {
            if c >= 48 && c <= 57 {
                guard digits < 12 else { return nil }
                number = number * 10 + Int64(c - 48)
                digits += 1
                chars = chars.dropFirst()
                continue
            }
            guard digits > 0 else { return nil }
            let unitBytes = chars.prefix(while: { !($0 >= 48 && $0 <= 57) })
            chars = chars.dropFirst(unitBytes.count)
            let scale: Int64
            switch String(decoding: unitBytes, as: UTF8.self) {
            case "ns": scale = 1
            case "us", "µs": scale = 1000
            case "ms": scale = 1_000_000
            case "s": scale = UTCTime.second
            case "m": scale = 60 * UTCTime.second
            case "h": scale = 3600 * UTCTime.second
            case "d": scale = 86_400 * UTCTime.second
            default: return nil
            }
            let (part, o1) = number.multipliedReportingOverflow(by: scale)
            let (sum, o2) = total.addingReportingOverflow(part)
            guard !o1, !o2, sum <= maximum else { return nil }
            total = sum
            number = 0
            digits = 0
        }
        return digits == 0 ? total : nil
    }
}
