/// Parses oslo.log lines (OpenStack nova, neutron...), optionally behind Loghub's file-name prefix:
/// `[nova-api.log.1.2017-05-16_13:53:08 ]2017-05-16 00:07:24.789 25746 INFO nova.osapi_compute.wsgi.server
/// [req-<uuid> <user> <project> - - -] message`. The context's first `req-` id is the request id
/// (the global id when oslo writes both); wsgi access lines also give method, path, status and client.
struct OpenStackParser {
    let timestamps: TimestampParser

    /// The record, or nil when the line is not in oslo.log's shape.
    func parse(
        _ b: UnsafeBufferPointer<UInt8>, position: SourcePosition, fileService: String?, keepMessage: Bool
    ) -> LogRecord? {
        var i = 0
        var service = fileService
        if let first = b.first, !ByteScanning.isDigit(first) {
            let end = ByteScanning.nextSpace(b, 0)
            guard let dot = Self.logSuffix(b, end) else { return nil }
            service = ByteScanning.string(b, 0..<dot)
            i = end + 1
        }
        guard let (time, afterTime) = timestamps.parseISO(b, at: i), afterTime < b.count, b[afterTime] == 32 else {
            return nil
        }
        i = afterTime + 1
        let pidEnd = ByteScanning.nextSpace(b, i)
        guard pidEnd > i, pidEnd < b.count, (i..<pidEnd).allSatisfy({ ByteScanning.isDigit(b[$0]) }) else {
            return nil
        }
        i = pidEnd + 1
        let levelEnd = ByteScanning.nextSpace(b, i)
        guard levelEnd < b.count,
            let level = LogLevel.parse(ByteScanning.slice(b, i..<levelEnd)) ?? Self.audit(b, i..<levelEnd)
        else { return nil }
        i = levelEnd + 1
        let loggerEnd = ByteScanning.nextSpace(b, i)
        guard loggerEnd + 1 < b.count, b[loggerEnd + 1] == UInt8(ascii: "[") else { return nil }
        let contextStart = loggerEnd + 2
        guard let contextEnd = ByteScanning.find(UInt8(ascii: "]"), in: b, from: contextStart) else { return nil }

        var record = LogRecord(time: time, timeKnown: true, kind: .log, position: position)
        record.level = level
        record.service = service
        readContext(b, contextStart..<contextEnd, into: &record)

        var m = contextEnd + 1
        while m < b.count, b[m] == 32 { m += 1 }
        if ByteScanning.hasPrefix(b, at: m, "[instance: "), ByteScanning.isUUID(b, at: m + 11) {
            record.entityHint = EntityRef(type: "instance", id: ByteScanning.string(b, (m + 11)..<(m + 47)))
        }
        if let http = Self.wsgiAccess(b, from: m) {
            record.kind = .access
            record.http = http.fields
            record.actorIP = http.ip
        }
        if keepMessage || level >= .error { record.message = ByteScanning.string(b, m..<b.count) }
        return record
    }

    /// Reads `[global? request user project ...]`: leading `req-` ids (or a `-`/`None` placeholder for an
    /// absent global id), then the user id.
    private func readContext(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>, into record: inout LogRecord) {
        var i = r.lowerBound
        var first = true
        while i < r.upperBound {
            while i < r.upperBound, b[i] == 32 { i += 1 }
            var end = i
            while end < r.upperBound, b[end] != 32 { end += 1 }
            guard end > i else { return }
            let token = ByteScanning.slice(b, i..<end)
            if ByteScanning.hasPrefix(b, at: i, "req-") {
                if record.requestID == nil { record.requestID = ByteScanning.string(b, i..<end) }
            } else if first && FieldCollector.isPlaceholder(token) {
                // oslo writes `-` or `None` where the global request id is absent
            } else {
                if !FieldCollector.isPlaceholder(token) { record.actorUserID = ByteScanning.string(b, i..<end) }
                return
            }
            first = false
            i = end
        }
    }

    /// `<ip> "METHOD /path HTTP/1.1" status: 202 len: 733 time: 0.51`: the wsgi server's access line.
    static func wsgiAccess(_ b: UnsafeBufferPointer<UInt8>, from m: Int) -> (fields: HTTPFields, ip: String)? {
        let ipEnd = ByteScanning.nextSpace(b, m)
        guard ipEnd > m, ipEnd + 1 < b.count, b[ipEnd + 1] == UInt8(ascii: "\""),
            ByteScanning.isDigit(b[m]) || b[m] == UInt8(ascii: ":")
        else { return nil }
        guard let close = ByteScanning.find(UInt8(ascii: "\""), in: b, from: ipEnd + 2) else { return nil }
        let request = AccessLogParser.requestLine(b, (ipEnd + 2)..<close)
        guard ByteScanning.hasPrefix(b, at: close + 1, " status: ") else { return nil }
        let statusStart = close + 10
        var s = statusStart
        var status = 0
        // A status has three digits; a longer run is no status (and must not overflow).
        while s < b.count, s - statusStart < 4, ByteScanning.isDigit(b[s]) {
            status = status * 10 + Int(b[s] - 48)
            s += 1
        }
        let fields = HTTPFields(
            method: request.method, path: request.path, query: request.query,
            status: (100...599).contains(status) ? status : nil, body: nil)
        return (fields, ByteScanning.string(b, m..<ipEnd))
    }

    /// Index of `.log` in a Loghub prefix token like `nova-api.log.1.2017-05-16_13:53:08`.
    static func logSuffix(_ b: UnsafeBufferPointer<UInt8>, _ end: Int) -> Int? {
        var k = 0
        while k + 4 <= end {
            if ByteScanning.hasPrefix(b, at: k, ".log") && (k + 4 == end || b[k + 4] == UInt8(ascii: ".")) {
                return k > 0 ? k : nil
            }
            k += 1
        }
        return nil
    }

    /// oslo's `AUDIT` level (between INFO and WARNING).
    static func audit(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> LogLevel? {
        ByteScanning.hasPrefix(b, at: r.lowerBound, "AUDIT") && r.count == 5 ? .notice : nil
    }
}
