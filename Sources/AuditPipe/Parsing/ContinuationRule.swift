/// How strongly a line looks like the continuation of the record above it (a stack trace, a wrapped body).
public enum ContinuationHint: UInt8, Sendable {
    /// A record of its own.
    case none
    /// Continues the record above only when that record is timestamped text (the line has no timestamp).
    case weak
    /// Continues whatever record is above: indented lines, `Traceback …`, `Caused by: …`, `FooError: …`.
    case strong

    /// The hint for a text line that did not start with a timestamp.
    static func forUntimestampedText(_ b: UnsafeBufferPointer<UInt8>) -> ContinuationHint {
        guard let first = b.first else { return .weak }
        if first == 32 || first == 9 { return .strong }
        if ByteScanning.hasPrefix(b, at: 0, "Traceback (most recent call last)")
            || ByteScanning.hasPrefix(b, at: 0, "Caused by: ")
            || ByteScanning.hasPrefix(b, at: 0, "During handling of the above exception")
            || ByteScanning.hasPrefix(b, at: 0, "The above exception was the direct cause")
            || ByteScanning.hasPrefix(b, at: 0, "... ")
            || isExceptionHeader(b)
        {
            return .strong
        }
        return .weak
    }

    /// `ValueError: …`, `java.lang.IllegalStateException`, `KeyboardInterrupt`: a traceback's header/last line.
    static func isExceptionHeader(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < b.count {
            let c = b[i]
            let ident = (c | 0x20 >= 97 && c | 0x20 <= 122) || ByteScanning.isDigit(c) || c == 95 || c == 46 || c == 36
            if !ident { break }
            i += 1
        }
        guard i >= 5, i == b.count || b[i] == UInt8(ascii: ":") else { return false }
        let word = ByteScanning.slice(b, 0..<i)
        for suffix: StaticString in ["Error", "Exception", "Exit", "Interrupt", "Warning", "Fault"] {
            let matches = suffix.withUTF8Buffer { s in
                guard s.count <= word.count else { return false }
                let off = word.count - s.count
                for k in 0..<s.count where word[off + k] != s[k] { return false }
                return true
            }
            if matches { return true }
        }
        return false
    }
}
