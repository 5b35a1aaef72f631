/// `--since` / `--until` values: an RFC 3339 time, a date (midnight UTC), or an age before now (`24h`, `7d`).
public enum TimeBound {
    /// UTC nanoseconds, or nil when `text` is none of those; `now` is in UTC nanoseconds.
    public static func parse(_ text: String, now: Int64) -> Int64? {
        if let t = FilterLiteralTime.parse(text) { return t }
        if let age = DurationText.parse(text) { return now.minus(saturating: age) }
        return nil
    }
}
