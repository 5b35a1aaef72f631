/// Severity of a log record, normalized across loggers (zap, logrus, pino, bunyan, syslog, Python).
public enum LogLevel: UInt8, Sendable, CaseIterable, Comparable {
    case trace, debug, info, notice, warn, error, fatal

    /// The name written in events (`levels` keys).
    public var name: String {
        switch self {
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info"
        case .notice: "notice"
        case .warn: "warn"
        case .error: "error"
        case .fatal: "fatal"
        }
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Parses a level word case-insensitively (`INFO`, `Warning`, `err`, `CRITICAL`, `panic`...).
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> LogLevel? {
        let n = bytes.count
        // No name starts with a digit: a number (pino's `30`) is not looked up by name.
        guard n >= 1, n <= 11, bytes[0] &- 48 > 9 else { return nil }
        var lower: (UInt64, UInt64) = (0, 0)
        // Up to eight ASCII bytes lower-cased as one word: a byte from `A` to `Z` is one that adding 0x3F
        // carries into its high bit and adding 0x25 does not; it gets 0x20 (a loop a byte cost ~12 instructions
        // a byte).
        let raw = UnsafeRawPointer(bytes.baseAddress!)
        let word = n == 8 ? raw.loadUnaligned(as: UInt64.self) : n < 8 ? RequestIDHash.shortWord(raw, n) : 0
        if n <= 8 && word & 0x8080_8080_8080_8080 == 0 {
            let upper = (word &+ 0x3F3F_3F3F_3F3F_3F3F) & ~(word &+ 0x2525_2525_2525_2525) & 0x8080_8080_8080_8080
            lower.0 = word | upper >> 2
        } else {
            for i in 0..<n {
                var c = UInt64(bytes[i])
                if c >= 65 && c <= 90 { c += 32 }
                if i < 8 { lower.0 |= c << (8 * UInt64(i)) } else { lower.1 |= c << (8 * UInt64(i - 8)) }
            }
        }
        switch n {
        case 1:
            switch lower.0 {
            case 0x74: return .trace  // t
            case 0x64: return .debug  // d
            case 0x69: return .info  // i
            case 0x77: return .warn  // w
            case 0x65: return .error  // e
            case 0x66, 0x63: return .fatal  // f, c
            case 0x6e: return .notice  // n
            default: return nil
            }
        default:
            // The usual names without hashing (a text pattern's level group is read on every line).
            switch lower.0 {
            case 0x6f66_6e69: return .info
            case 0x6e72_6177: return .warn
            case 0x67_7562_6564: return .debug
            case 0x72_6f72_7265: return .error
            case 0x65_6361_7274: return .trace
            case 0x676e_696e_7261_77: return .warn
            default: return byName[Key(lower.0, lower.1, n)]
            }
        }
    }

    /// Maps a numeric level: pino/bunyan (10...60) or syslog severity (0...7).
    public static func fromNumber(_ value: Int) -> LogLevel? {
        switch value {
        case 0, 1, 2: return .fatal
        case 3: return .error
        case 4: return .warn
        case 5: return .notice
        case 6: return .info
        case 7: return .debug
        case 10: return .trace
        case 20: return .debug
        case 30: return .info
        case 40: return .warn
        case 50: return .error
        case 60: return .fatal
        default: return nil
        }
    }

    private struct Key: Hashable {
        let a: UInt64, b: UInt64, n: Int
        init(_ a: UInt64, _ b: UInt64, _ n: Int) { (self.a, self.b, self.n) = (a, b, n) }
        init(_ word: String) {
            var a: UInt64 = 0, b: UInt64 = 0
            for (i, c) in word.utf8.enumerated() {
                if i < 8 { a |= UInt64(c) << (8 * UInt64(i)) } else { b |= UInt64(c) << (8 * UInt64(i - 8)) }
            }
            self.init(a, b, word.utf8.count)
        }
    }

    private static let byName: [Key: LogLevel] = {
        let words: [(String, LogLevel)] = [
            ("trace", .trace), ("trc", .trace), ("verbose", .trace), ("debug", .debug), ("dbg", .debug),
            ("info", .info), ("inf", .info), ("information", .info), ("notice", .notice),
            ("warn", .warn), ("wrn", .warn), ("warning", .warn), ("error", .error), ("err", .error),
            ("fatal", .fatal), ("ftl", .fatal), ("critical", .fatal), ("crit", .fatal), ("panic", .fatal),
            ("alert", .fatal), ("emerg", .fatal), ("emergency", .fatal), ("severe", .fatal),
        ]
        var table: [Key: LogLevel] = [:]
        for (w, l) in words { table[Key(w)] = l }
        return table
    }()
}
