/// Parses free-text lines: an optional leading timestamp, an optional level word, and request ids found by
/// pattern — `req-<uuid>` anywhere, or `key=value` tokens whose key is a request-id field (`request_id=…`).
struct PlainTextParser {
    let roles: FieldRoleTable
    let timestamps: TimestampParser

    /// Always yields a record; `timestamped` tells whether the line began with a timestamp.
    func parse(
        _ b: UnsafeBufferPointer<UInt8>, position: SourcePosition, inheritedTime: Int64, fileService: String?,
        keepMessage: Bool
    ) -> (record: LogRecord, timestamped: Bool) {
        var i = 0
        var time: Int64?
        if let (t, end) = timestamps.parseLeading(b, at: 0) {
            time = t
            i = end
        }
        while i < b.count, b[i] == 32 || b[i] == 9 { i += 1 }
        var level: LogLevel?
        var messageStart = i
        var token = 0
        var j = i
        while token < 3, j < b.count {
            let end = ByteScanning.nextSpace(b, j)
            var s = j
            var e = end
            while s < e, b[s] == UInt8(ascii: "[") || b[s] == UInt8(ascii: "<") { s += 1 }
            while e > s, b[e - 1] == UInt8(ascii: "]") || b[e - 1] == UInt8(ascii: ":") || b[e - 1] == UInt8(ascii: ">")
            {
                e -= 1
            }
            // Apache 2.4's `[module:level]` (`[core:error]`, `[mpm_event:notice]`, `[ssl:trace3]`).
            if s > j, b[s - 1] == UInt8(ascii: "["), let colon = (s..<e).last(where: { b[$0] == UInt8(ascii: ":") }) {
                s = colon + 1
                if e - s == 6, b[e - 1] >= UInt8(ascii: "1"), b[e - 1] <= UInt8(ascii: "8"),
                    ByteScanning.hasPrefix(b, at: s, "trace")
                {
                    e -= 1
                }
            }
            if e - s >= 3, let l = LogLevel.parse(ByteScanning.slice(b, s..<e)) {
                level = l
                messageStart = min(end + 1, b.count)
                break
            }
            j = end + 1
            token += 1
        }

        var bracketService: String?
        while messageStart < b.count, b[messageStart] == 32 { messageStart += 1 }
        if level != nil, messageStart < b.count, b[messageStart] == UInt8(ascii: "["),
            let close = ByteScanning.find(UInt8(ascii: "]"), in: b, from: messageStart + 1), close - messageStart <= 64,
            !ByteScanning.hasPrefix(b, at: messageStart + 1, "req-"),
            (messageStart + 1..<close).allSatisfy({ LogfmtParser.isKeyByte(b[$0]) })
        {
            // `LEVEL [component] message`: the bracket names the emitting component.
            bracketService = ByteScanning.string(b, (messageStart + 1)..<close)
        }
        var c = FieldCollector()
        scanPairs(b, from: i, into: &c)
        var notes = ParseNotes()
        if time != nil, timestamps.assumesYear, TimestampParser.startsYearless(b) { notes.yearAssumed = true }
        let recordLevel = level ?? c.level
        var message: String?
        if keepMessage || (recordLevel ?? .info) >= .error {
            message = ByteScanning.string(b, messageStart..<b.count)
        }
        // Made in one piece (`LogRecord.parsed`): a record made empty and then given its fields one by one was
        // built in a temporary and copied out (an outlined copy and destroy of the whole record a line).
        let record = LogRecord.parsed(
            time: time ?? inheritedTime, timeKnown: time != nil, level: recordLevel, kind: .log, isEndMarker: false,
            position: position, requestID: Self.requestToken(b, from: i) ?? c.requestID, requestIDHash: nil,
            service: c.service ?? bracketService ?? fileService, message: message, user: c.user.take(),
            userID: c.userID.take(), ip: c.ip.take(), userAgent: c.userAgent.take(), http: nil, action: nil,
            entityHint: nil, extra: nil, captured: nil, notes: notes)
        return (record, time != nil)
    }

    /// The request id a text line names the built-in ways: a `req-<uuid>` token, else an id key's `key=value`.
    func requestID(in b: UnsafeBufferPointer<UInt8>) -> String? {
        if let token = Self.requestToken(b, from: 0) { return token }
        var c = FieldCollector()
        scanPairs(b, from: 0, into: &c)
        return c.requestID
    }

    /// The first `req-<uuid>` token on the line (OpenStack-style ids in free text).
    static func requestToken(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> String? {
        var i = start
        while i + 40 <= b.count {
            if b[i] == UInt8(ascii: "r"), ByteScanning.hasPrefix(b, at: i, "req-"), ByteScanning.isUUID(b, at: i + 4),
                i == 0 || !LogfmtParser.isKeyByte(b[i - 1])
            {
                return ByteScanning.string(b, i..<(i + 40))
            }
            i += 1
        }
        return nil
    }

    /// Offers every `key=value` token whose key has a role (ids, user, service, level) to the collector.
    private func scanPairs(_ b: UnsafeBufferPointer<UInt8>, from start: Int, into c: inout FieldCollector) {
        var i = start
        while let eq = ByteScanning.find(UInt8(ascii: "="), in: b, from: i) {
            var ks = eq
            while ks > start, LogfmtParser.isKeyByte(b[ks - 1]) { ks -= 1 }
            var ve = eq + 1
            var vs = eq + 1
            if ve < b.count, b[ve] == UInt8(ascii: "\"") {
                vs += 1
                ve = AccessLogParser.closingQuote(b, from: vs) ?? b.count
            } else {
                while ve < b.count, b[ve] != 32, b[ve] != UInt8(ascii: ","), b[ve] != UInt8(ascii: ";"),
                    b[ve] != UInt8(ascii: "]"), b[ve] != UInt8(ascii: ")")
                {
                    ve += 1
                }
            }
            if ks < eq, let role = roles.role(ByteScanning.slice(b, ks..<eq)), role.isPlainTextKey {
                c.offer(role, ByteScanning.slice(b, vs..<ve), timestamps: timestamps)
            }
            i = max(ve, eq + 1)
        }
    }
}
