/// Parses NCSA common/combined access logs (nginx, Apache) and ingress-nginx's `upstreaminfo` lines,
/// whose last field is `$req_id` (16–64 hex digits) and becomes the request id.
struct AccessLogParser {
    let timestamps: TimestampParser

    /// The record, or nil when the line is not `host ident user [time] "request" status bytes ...`.
    func parse(
        _ b: UnsafeBufferPointer<UInt8>, position: SourcePosition, fileService: String?, keepMessage: Bool
    ) -> LogRecord? {
        let hostEnd = ByteScanning.nextSpace(b, 0)
        guard hostEnd > 0, hostEnd < b.count else { return nil }
        let identEnd = ByteScanning.nextSpace(b, hostEnd + 1)
        guard identEnd < b.count else { return nil }
        let userEnd = ByteScanning.nextSpace(b, identEnd + 1)
        guard userEnd + 1 < b.count, b[userEnd + 1] == UInt8(ascii: "["),
            let (time, afterTime) = timestamps.parseCLF(b, at: userEnd + 2),
            afterTime + 2 < b.count, b[afterTime] == UInt8(ascii: "]"), b[afterTime + 1] == 32,
            b[afterTime + 2] == UInt8(ascii: "\"")
        else { return nil }
        let requestStart = afterTime + 3
        guard let requestEnd = Self.closingQuote(b, from: requestStart), requestEnd + 5 <= b.count,
            b[requestEnd + 1] == 32
        else { return nil }
        var i = requestEnd + 2
        var status = 0
        let statusStart = i
        // At most four digits are read (a status has three): a long digit run must not overflow.
        while i < b.count, i - statusStart < 4, ByteScanning.isDigit(b[i]) {
            status = status * 10 + Int(b[i] - 48)
            i += 1
        }
        guard i - statusStart == 3 else { return nil }

        var record = LogRecord(time: time, timeKnown: true, kind: .access, position: position)
        record.service = fileService
        let request = Self.requestLine(b, requestStart..<requestEnd)
        record.http = HTTPFields(
            method: request.method, path: request.path, query: request.query, status: status, body: nil)
        record.actorIP = ByteScanning.string(b, 0..<hostEnd)
        let user = ByteScanning.slice(b, (identEnd + 1)..<userEnd)
        if !FieldCollector.isPlaceholder(user) { record.actorUser = ByteScanning.string(b, (identEnd + 1)..<userEnd) }
        record.level = status >= 500 ? .error : status >= 400 ? .warn : .info

        // "referer" "user-agent" follow the byte count in the combined format.
        var quoted: [Range<Int>] = []
        var j = i
        while quoted.count < 2, let open = ByteScanning.find(UInt8(ascii: "\""), in: b, from: j),
            let close = Self.closingQuote(b, from: open + 1)
        {
            quoted.append((open + 1)..<close)
            j = close + 1
        }
        if quoted.count == 2 {
            let ua = ByteScanning.slice(b, quoted[1])
            if !FieldCollector.isPlaceholder(ua) { record.actorUserAgent = ByteScanning.string(b, quoted[1]) }
            record.requestID = Self.trailingRequestID(b, after: j)
            if record.requestID != nil { record.isEndMarker = true }
        }
        if keepMessage { record.message = ByteScanning.string(b, 0..<b.count) }
        return record
    }

    /// The last whitespace-separated token when it is 16–64 hex digits (ingress-nginx `$req_id`).
    static func trailingRequestID(_ b: UnsafeBufferPointer<UInt8>, after start: Int) -> String? {
        var end = b.count
        while end > start, b[end - 1] == 32 { end -= 1 }
        var s = end
        while s > start, b[s - 1] != 32 { s -= 1 }
        let n = end - s
        guard s > start, n >= 16, n <= 64, (s..<end).allSatisfy({ ByteScanning.isHex(b[$0]) }) else { return nil }
        return ByteScanning.string(b, s..<end)
    }

    /// Index of the quote closing a field that opened just before `i` (backslash escapes honoured).
    static func closingQuote(_ b: UnsafeBufferPointer<UInt8>, from i: Int) -> Int? {
        var j = i
        while j < b.count {
            if b[j] == UInt8(ascii: "\\") {
                j += 2
                continue
            }
            if b[j] == UInt8(ascii: "\"") { return j }
            j += 1
        }
        return nil
    }

    /// Splits `METHOD target PROTO` into method, path and parsed query; anything else gives nils.
    static func requestLine(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> (
        method: String?, path: String?, query: JSONValue?
    ) {
        let methodEnd = ByteScanning.nextSpace(UnsafeBufferPointer(rebasing: b[..<r.upperBound]), r.lowerBound)
        guard methodEnd < r.upperBound, methodEnd > r.lowerBound,
            (r.lowerBound..<methodEnd).allSatisfy({ (b[$0] | 0x20) >= 97 && (b[$0] | 0x20) <= 122 })
        else { return (nil, nil, nil) }
        var targetEnd = methodEnd + 1
        while targetEnd < r.upperBound, b[targetEnd] != 32 { targetEnd += 1 }
        let target = ByteScanning.string(b, (methodEnd + 1)..<targetEnd)
        let (path, query) = QueryString.split(url: target)
        return (ByteScanning.string(b, r.lowerBound..<methodEnd).uppercased(), path, query.map(QueryString.parse))
    }
}
