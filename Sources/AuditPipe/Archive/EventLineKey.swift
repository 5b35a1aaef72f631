/// The sort and de-duplication key of an archived event line: its `event_id` and `start`. Lines written by
/// auditpipe begin `{"event_id":"…","request_id":…,"start":"…"`, read here without parsing the rest; any
/// other line is parsed as JSON.
enum EventLineKey {
    /// `(start, event_id)`, or nil when the line is not an audit event.
    static func of(_ line: some Collection<UInt8>) -> (start: String, id: String)? {
        let b = Array(line)
        if let key = fast(b) { return key }
        let v: JSONValue? = b.withUnsafeBufferPointer { p in
            var s = JSONScanner(p, maxDepth: 64)
            return try? s.parseValue(depth: 0)
        }
        guard case .string(let id)? = v?["event_id"], case .string(let start)? = v?["start"] else { return nil }
        return (start, id)
    }

    private static let head = Array(#"{"event_id":""#.utf8)
    private static let requestKey = Array(#"","request_id":"#.utf8)
    private static let startKey = Array(#","start":""#.utf8)

    private static func fast(_ b: [UInt8]) -> (start: String, id: String)? {
        b.withUnsafeBufferPointer { p in
            spans(p).map {
                (String(decoding: p[$0.start], as: UTF8.self), String(decoding: p[$0.id], as: UTF8.self))
            }
        }
    }

    /// Where the start and the event id lie in a line written by auditpipe, or nil for any other line.
    static func spans(_ b: UnsafeBufferPointer<UInt8>) -> (start: Range<Int>, id: Range<Int>)? {
        guard b.count > head.count, b.starts(with: head) else { return nil }
        var i = head.count
        let idStart = i
        while i < b.count, b[i] != UInt8(ascii: "\""), b[i] != UInt8(ascii: "\\") { i += 1 }
        let idEnd = i
        guard b[i...].starts(with: requestKey) else { return nil }
        i += requestKey.count
        if b[i...].starts(with: "null".utf8) {
            i += 4
        } else {
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { return nil }
            i += 1
            while i < b.count, b[i] != UInt8(ascii: "\"") { i += b[i] == UInt8(ascii: "\\") ? 2 : 1 }
            i += 1
        }
        guard i <= b.count, b[i...].starts(with: startKey) else { return nil }
        i += startKey.count
        let startBegin = i
        while i < b.count, b[i] != UInt8(ascii: "\""), b[i] != UInt8(ascii: "\\") { i += 1 }
        guard i < b.count, b[i] == UInt8(ascii: "\"") else { return nil }
        return (startBegin..<i, idStart..<idEnd)
    }
}
