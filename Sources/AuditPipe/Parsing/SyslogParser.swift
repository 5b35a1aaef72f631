/// Parses syslog lines that carry their priority: RFC 5424 (`<34>1 2003-10-11T22:14:15.003Z host app 1234 ID47
/// [exampleSDID@32473 iut="3"] message`) and RFC 3164 (`<34>Oct 11 22:14:15 host su[1234]: message`).
///
/// The severity is the level, the app name (3164: the tag) the service, the message the message. Structured
/// data params whose name is a field auditpipe knows (`request_id`, `user`, …) fill the record; with
/// `--include-records` every param is a field under its SD-ID (`fields.exampleSDID@32473.iut`), besides
/// `host`, `procid`, `msgid` and `facility`. A request id is a known param, else a `req-<uuid>` or
/// `request_id=…` token in the message.
struct SyslogParser {
    let roles: FieldRoleTable
    let timestamps: TimestampParser
    var keepExtra: Bool

    /// True when the line starts as syslog: a priority (`<0>` to `<191>`), then RFC 5424's version `1 ` or an
    /// RFC 3164 month.
    static func looksLikeSyslog(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let (_, i) = priority(b), i + 2 <= b.count else { return false }
        return (b[i] == UInt8(ascii: "1") && b[i + 1] == 32) || TimestampParser.month(b, i) != nil
    }

    /// Why a line that looks like syslog is not one, for its dead letter.
    static let malformed = "starts as syslog (<PRI>1 or <PRI>Mmm) but its header or structured data is malformed"

    /// The priority value and the index after `>`.
    static func priority(_ b: UnsafeBufferPointer<UInt8>) -> (Int, Int)? {
        guard b.count >= 3, b[0] == UInt8(ascii: "<") else { return nil }
        var v = 0
        var i = 1
        while i < b.count, i <= 4, ByteScanning.isDigit(b[i]) {
            v = v * 10 + Int(b[i] - 48)
            i += 1
        }
        guard i > 1, i < b.count, b[i] == UInt8(ascii: ">"), v <= 191 else { return nil }
        return (v, i + 1)
    }

    /// The record of a syslog line, or nil when it is not one.
    func parse(_ b: UnsafeBufferPointer<UInt8>, position: SourcePosition, fileService: String?, keepMessage: Bool)
        -> LogRecord?
    {
        guard let (pri, after) = Self.priority(b) else { return nil }
        var c = FieldCollector()
        c.level = LogLevel.fromNumber(pri & 7)
        if keepExtra { c.extra.append(JSONMember("facility", .number(String(pri >> 3)))) }
        let ok: Bool
        if after + 1 < b.count, b[after] == UInt8(ascii: "1"), b[after + 1] == 32 {
            ok = parse5424(b, from: after + 2, into: &c)
        } else {
            ok = parse3164(b, from: after, into: &c)
        }
        guard ok else { return nil }
        return c.build(
            position: position, inheritedTime: 0, service: fileService, keepMessage: keepMessage,
            keepExtra: keepExtra, headerIDNames: roles.headerIDNames)
    }

    /// The next space-delimited header field from `i`: its range and the index after its space.
    private static func field(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> (Range<Int>, Int)? {
        guard i < b.count else { return nil }
        let end = ByteScanning.nextSpace(b, i)
        guard end > i else { return nil }
        return (i..<end, min(end + 1, b.count))
    }

    private static func isNil(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Bool {
        r.count == 1 && b[r.lowerBound] == UInt8(ascii: "-")
    }

    /// `TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]` after `<PRI>1 `.
    private func parse5424(_ b: UnsafeBufferPointer<UInt8>, from start: Int, into c: inout FieldCollector) -> Bool {
        var header: [Range<Int>] = []
        var i = start
        for _ in 0..<5 {
            guard let (r, next) = Self.field(b, i) else { return false }
            header.append(r)
            i = next
        }
        if !Self.isNil(b, header[0]) {
            guard let t = timestamps.parseValue(ByteScanning.slice(b, header[0])) else { return false }
            c.time = t
            c.timeRank = 0
        }
        if !Self.isNil(b, header[2]) {
            c.offer(.service(rank: 0), ByteScanning.slice(b, header[2]), timestamps: timestamps)
        }
        if keepExtra {
            for (k, name) in [(1, "host"), (3, "procid"), (4, "msgid")] where !Self.isNil(b, header[k]) {
                c.extra.append(JSONMember(name, .string(ByteScanning.string(b, header[k]))))
            }
        }
        guard i < b.count else { return true }
        if b[i] == UInt8(ascii: "-") {
            i += 1
        } else {
            guard b[i] == UInt8(ascii: "["), let end = structuredData(b, from: i, into: &c) else { return false }
            i = end
        }
        if i < b.count, b[i] == 32 { i += 1 }
        // A UTF-8 message may start with a byte order mark.
        if i + 3 <= b.count, b[i] == 0xEF, b[i + 1] == 0xBB, b[i + 2] == 0xBF { i += 3 }
        message(b, from: i, into: &c)
        return true
    }

    /// `Mmm dd hh:mm:ss HOST TAG[PID]: MSG` after `<PRI>`.
    private func parse3164(_ b: UnsafeBufferPointer<UInt8>, from start: Int, into c: inout FieldCollector) -> Bool {
        guard let (t, end) = timestamps.parseSyslog(b, at: start), end < b.count, b[end] == 32 else { return false }
        c.time = t
        c.timeRank = 0
        c.notes.yearAssumed = timestamps.assumesYear
        var i = end + 1
        guard let (host, afterHost) = Self.field(b, i) else { return false }
        if keepExtra { c.extra.append(JSONMember("host", .string(ByteScanning.string(b, host)))) }
        i = afterHost
        var tagEnd = i
        while tagEnd < b.count, b[tagEnd] != UInt8(ascii: "["), b[tagEnd] != UInt8(ascii: ":"), b[tagEnd] != 32 {
            tagEnd += 1
        }
        var messageStart = i
        if tagEnd > i, tagEnd < b.count {
            c.offer(.service(rank: 0), ByteScanning.slice(b, i..<tagEnd), timestamps: timestamps)
            var j = tagEnd
            if b[j] == UInt8(ascii: "["), let close = ByteScanning.find(UInt8(ascii: "]"), in: b, from: j) {
                if keepExtra { c.extra.append(JSONMember("procid", .string(ByteScanning.string(b, (j + 1)..<close)))) }
                j = close + 1
            }
            if j < b.count, b[j] == UInt8(ascii: ":") { j += 1 }
            if j < b.count, b[j] == 32 { j += 1 }
            messageStart = j
        }
        message(b, from: messageStart, into: &c)
        return true
    }

    /// The message, and a request id in it when no param gave one.
    private func message(_ b: UnsafeBufferPointer<UInt8>, from i: Int, into c: inout FieldCollector) {
        guard i < b.count else { return }
        c.offer(.message, ByteScanning.slice(b, i..<b.count), timestamps: timestamps)
        if c.requestID == nil, let id = PlainTextParser.requestToken(b, from: i) { c.requestID = id }
        if c.requestID == nil {
            // `request_id=…` tokens, as in plain text.
            var k = i
            while let eq = ByteScanning.find(UInt8(ascii: "="), in: b, from: k) {
                var ks = eq
                while ks > i, LogfmtParser.isKeyByte(b[ks - 1]) { ks -= 1 }
                var ve = eq + 1
                while ve < b.count, b[ve] != 32, b[ve] != UInt8(ascii: ","), b[ve] != UInt8(ascii: ";") { ve += 1 }
                if ks < eq, let role = roles.role(ByteScanning.slice(b, ks..<eq)), case .requestID = role {
                    c.offer(role, ByteScanning.slice(b, (eq + 1)..<ve), timestamps: timestamps)
                }
                k = max(ve, eq + 1)
            }
        }
    }

    /// Reads `[SD-ID name="value" …]…` from `i`; returns the index after the last `]`, or nil when malformed.
    private func structuredData(_ b: UnsafeBufferPointer<UInt8>, from start: Int, into c: inout FieldCollector)
        -> Int?
    {
        var i = start
        while i < b.count, b[i] == UInt8(ascii: "[") {
            var j = i + 1
            while j < b.count, b[j] != 32, b[j] != UInt8(ascii: "]") { j += 1 }
            guard j > i + 1, j < b.count else { return nil }
            let id = ByteScanning.string(b, (i + 1)..<j)
            var params: [JSONMember] = []
            while j < b.count, b[j] == 32 {
                let ns = j + 1
                guard let eq = ByteScanning.find(UInt8(ascii: "="), in: b, from: ns), eq > ns, eq + 1 < b.count,
                    b[eq + 1] == UInt8(ascii: "\"")
                else { return nil }
                var value: [UInt8] = []
                var k = eq + 2
                var closed = false
                while k < b.count {
                    let ch = b[k]
                    if ch == UInt8(ascii: "\\"), k + 1 < b.count,
                        b[k + 1] == UInt8(ascii: "\"") || b[k + 1] == UInt8(ascii: "\\")
                            || b[k + 1] == UInt8(ascii: "]")
                    {
                        value.append(b[k + 1])
                        k += 2
                        continue
                    }
                    if ch == UInt8(ascii: "\"") {
                        closed = true
                        break
                    }
                    value.append(ch)
                    k += 1
                }
                guard closed else { return nil }
                let name = ByteScanning.slice(b, ns..<eq)
                let text = String(decoding: value, as: UTF8.self)
                if let role = roles.role(name), role.isPlainTextKey {
                    c.offer(role, string: text, timestamps: timestamps)
                }
                if keepExtra { params.append(JSONMember(ByteScanning.string(b, ns..<eq), .string(text))) }
                j = k + 1
            }
            guard j < b.count, b[j] == UInt8(ascii: "]") else { return nil }
            if keepExtra { c.extra.append(JSONMember(id, .object(params))) }
            i = j + 1
        }
        return i
    }
}
