/// Text a filter compares as a number: a JSON number (`16`, `-1.5e3`), whole. Swift's `Double(_:)` also reads
/// `0x10`, `0x1p4`, `16.`, `+16`, `inf` and `nan`, so a user named `0x10` equalled 16 and `"infinity"` was past any
/// bound (a new-user trial); those are text.
enum NumericText {
    /// The number `text` is, or nil when it is not a JSON number.
    static func value(_ text: String) -> Double? {
        var text = text
        let isNumber = text.withUTF8 { bytes -> Bool in
            guard let first = bytes.first, first == UInt8(ascii: "-") || (first >= 48 && first <= 57) else {
                return false
            }
            var scanner = JSONScanner(bytes, maxDepth: 1)
            do throws(JSONSyntaxError) { _ = try scanner.scanNumber() } catch { return false }
            return scanner.pos == bytes.count
        }
        return isNumber ? Double(text) : nil
    }
}
