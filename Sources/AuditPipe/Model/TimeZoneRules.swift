#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A time zone's UTC offsets over time, read from the system tz database (TZif files under
/// `/usr/share/zoneinfo`, with their POSIX rule for times past the last listed change), or a fixed offset
/// (`UTC`, `+02:00`): what times written without an offset (`--timezone`, YAML `parse: timezone:`) are read in.
public final class TimeZoneRules: Sendable {
    /// The zone as the user named it (`Europe/Berlin`, `UTC`, `+02:00`).
    public let name: String
    /// UTC seconds at which the offset changes, ascending.
    private let transitions: [Int64]
    /// The offset (seconds east of UTC) in force from each transition on.
    private let offsets: [Int32]
    /// The offset before the first transition.
    private let initialOffset: Int32
    /// The rule after the last transition (the TZif footer), when there is one.
    private let rule: PosixTZRule?

    /// Where the tz database is looked for, first to last.
    static let databaseDirectories = ["/usr/share/zoneinfo", "/usr/lib/zoneinfo", "/usr/share/lib/zoneinfo"]

    /// A zone with one offset for all time.
    init(name: String, fixedOffset: Int32) {
        self.name = name
        transitions = []
        offsets = []
        initialOffset = fixedOffset
        rule = nil
    }

    private init(name: String, transitions: [Int64], offsets: [Int32], initialOffset: Int32, rule: PosixTZRule?) {
        self.name = name
        self.transitions = transitions
        self.offsets = offsets
        self.initialOffset = initialOffset
        self.rule = rule
    }

    /// UTC.
    public static let utc = TimeZoneRules(name: "UTC", fixedOffset: 0)

    /// The zone `name`: `UTC`/`Z`, a fixed offset (`+02:00`, `-0530`, `+2`), or an IANA name read from the tz
    /// database (`Europe/Berlin`, `America/New_York`).
    public static func named(_ name: String) throws(TimeZoneError) -> TimeZoneRules {
        let trimmed = name.trimmingSpaces
        if trimmed == "UTC" || trimmed == "Z" || trimmed == "utc" || trimmed == "GMT" { return utc }
        if let first = trimmed.utf8.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            guard let offset = fixedOffset(trimmed) else {
                throw TimeZoneError(name: name, reason: "an offset is written +HH:MM, +HHMM or +HH (e.g. +02:00)")
            }
            return TimeZoneRules(name: trimmed, fixedOffset: offset)
        }
        // A name is letters, digits, '_', '-', '+' and '/' parts; no '..' climbs out of the database.
        let allowed = trimmed.utf8.allSatisfy { c in
            (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 95 || c == 45 || c == 43
                || c == 47
        }
        guard !trimmed.isEmpty, allowed, !trimmed.hasPrefix("/"), !trimmed.utf8.contains(UInt8(ascii: "."))
        else {
            throw TimeZoneError(name: name, reason: "not a time zone name like Europe/Berlin, UTC or +02:00")
        }
        for directory in databaseDirectories {
            guard let bytes = readFile(directory + "/" + trimmed) else { continue }
            guard let zone = parseTZif(bytes, name: trimmed) else {
                throw TimeZoneError(name: name, reason: "\(directory)/\(trimmed) is not a TZif file")
            }
            return zone
        }
        throw TimeZoneError(
            name: name,
            reason:
                "no such zone in the tz database (\(databaseDirectories[0])); use an IANA name like Europe/Berlin, UTC or an offset like +02:00"
        )
    }

    /// The offset (seconds east of UTC) in force at `utc` (seconds since the epoch).
    public func offset(atUTC utc: Int64) -> Int32 {
        if transitions.isEmpty || utc < transitions[0] {
            if transitions.isEmpty, let rule { return rule.offset(atUTC: utc) }
            return initialOffset
        }
        if utc >= transitions[transitions.count - 1], let rule { return rule.offset(atUTC: utc) }
        var lo = 0
        var hi = transitions.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if transitions[mid] <= utc { lo = mid } else { hi = mid - 1 }
        }
        return offsets[lo]
    }

    /// UTC seconds of the wall-clock time `local` (seconds since the epoch as if the wall clock were UTC).
    /// A time that occurs twice (the hour a clock goes back) is its first occurrence; a time that never
    /// occurs (the hour a clock skips) is read with the offset before the change.
    public func utc(fromLocal local: Int64) -> Int64 {
        if transitions.isEmpty && rule == nil { return local - Int64(initialOffset) }
        let before = Int64(offset(atUTC: local - 86_400))
        let after = Int64(offset(atUTC: local + 86_400))
        var best: Int64?
        for candidate in [before, after] where Int64(offset(atUTC: local - candidate)) == candidate {
            let t = local - candidate
            if best == nil || t < best! { best = t }
        }
        return best ?? local - before
    }

    /// Seconds east of UTC of a fixed offset text (`+02:00`, `-0530`, `+2`), or nil.
    static func fixedOffset(_ text: String) -> Int32? {
        let b = Array(text.utf8)
        guard b.count >= 2, b[0] == UInt8(ascii: "+") || b[0] == UInt8(ascii: "-") else { return nil }
        let digits = b[1...].filter { $0 != UInt8(ascii: ":") }
        guard digits.allSatisfy({ $0 >= 48 && $0 <= 57 }), [1, 2, 4].contains(digits.count),
            b[1...].filter({ $0 == UInt8(ascii: ":") }).count <= (digits.count == 4 ? 1 : 0)
        else { return nil }
        let values = digits.map { Int32($0 - 48) }
        let hours = digits.count == 1 ? values[0] : values[0] * 10 + values[1]
        let minutes = digits.count == 4 ? values[2] * 10 + values[3] : 0
        guard hours <= 14, minutes < 60 else { return nil }
        return (hours * 3600 + minutes * 60) * (b[0] == UInt8(ascii: "-") ? -1 : 1)
    }

    private static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size < 1 << 20 else { return nil }
        var out = [UInt8](repeating: 0, count: Int(st.st_size))
        var got = 0
        while got < out.count {
            let n = out.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, $0.count - got) }
            if n <= 0 { break }
            got += n
        }
        return Array(out[0..<got])
    }

    /// Reads a TZif file (RFC 8536): the 64-bit block of version 2 and later, else the 32-bit one.
    static func parseTZif(_ b: [UInt8], name: String) -> TimeZoneRules? {
        func be(_ at: Int, _ size: Int) -> Int64? {
            guard at >= 0, at + size <= b.count else { return nil }
            var v: UInt64 = 0
            for k in 0..<size { v = v << 8 | UInt64(b[at + k]) }
            if size == 4 { return Int64(Int32(bitPattern: UInt32(v))) }
            return Int64(bitPattern: v)
        }
        struct Header {
            var isut, isstd, leap, time, type, char: Int
        }
        func header(_ at: Int) -> Header? {
            guard at + 44 <= b.count, b[at] == 0x54, b[at + 1] == 0x5A, b[at + 2] == 0x69, b[at + 3] == 0x66
            else { return nil }
            var c: [Int] = []
            for k in 0..<6 {
                guard let v = be(at + 20 + 4 * k, 4), v >= 0, v < 1 << 20 else { return nil }
                c.append(Int(v))
            }
            return Header(isut: c[0], isstd: c[1], leap: c[2], time: c[3], type: c[4], char: c[5])
        }
        guard let h1 = header(0) else { return nil }
        var h = h1
        var at = 44
        var timeSize = 4
        let version = b[4]
        if version >= UInt8(ascii: "2") {
            let skip = h1.time * 5 + h1.type * 6 + h1.char + h1.leap * 8 + h1.isstd + h1.isut
            guard let h2 = header(44 + skip) else { return nil }
            h = h2
            at = 44 + skip + 44
            timeSize = 8
        }
        guard h.type > 0 else { return nil }
        var transitions: [Int64] = []
        for k in 0..<h.time {
            guard let t = be(at + k * timeSize, timeSize) else { return nil }
            transitions.append(t)
        }
        let indexAt = at + h.time * timeSize
        let typesAt = indexAt + h.time
        var typeOffsets: [Int32] = []
        var typeIsDST: [Bool] = []
        for k in 0..<h.type {
            guard let off = be(typesAt + 6 * k, 4), typesAt + 6 * k + 4 < b.count else { return nil }
            typeOffsets.append(Int32(off))
            typeIsDST.append(b[typesAt + 6 * k + 4] != 0)
        }
        var offsets: [Int32] = []
        for k in 0..<h.time {
            guard indexAt + k < b.count, Int(b[indexAt + k]) < h.type else { return nil }
            offsets.append(typeOffsets[Int(b[indexAt + k])])
        }
        // Before the first transition: the first standard-time type (RFC 8536 3.2), else type 0.
        let initial = typeOffsets[typeIsDST.firstIndex(of: false) ?? 0]
        var rule: PosixTZRule?
        if timeSize == 8 {
            let end = typesAt + 6 * h.type + h.char + h.leap * 12 + h.isstd + h.isut
            if end < b.count, b[end] == 10, let close = b[(end + 1)...].firstIndex(of: 10), close > end + 1 {
                rule = PosixTZRule(String(decoding: b[(end + 1)..<close], as: UTF8.self))
            }
        }
        return TimeZoneRules(
            name: name, transitions: transitions, offsets: offsets, initialOffset: initial, rule: rule)
    }
}

/// Why a time zone name was refused.
public struct TimeZoneError: Error, Sendable, CustomStringConvertible {
    /// The name as given.
    public var name: String
    /// What is wrong and what to write instead.
    public var reason: String

    /// The message for the user.
    public var description: String { "unknown time zone '\(name)': \(reason)" }
}
