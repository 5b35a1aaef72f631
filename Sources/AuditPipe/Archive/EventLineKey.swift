#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The sort and de-duplication key of an archived event line: its `event_id` and `start`. Lines written by
/// auditpipe begin `{"event_id":"…","request_id":…,"start":"…"`, read there without building the rest; any
/// other line is parsed as JSON. Either way the line must be well-formed JSON with no key twice.
enum EventLineKey {
    /// `(start, event_id)`, or nil when the line is not an audit event.
    static func of(_ line: some Collection<UInt8>) -> (start: String, id: String)? {
        let b = Array(line)
        if let key = fast(b) { return key }
        guard b.withUnsafeBufferPointer(isWellFormed) else { return nil }
        let v: JSONValue? = b.withUnsafeBufferPointer { p in
            var s = JSONScanner(p, maxDepth: 64)
            return try? s.parseValue(depth: 0)
        }
        guard case .string(let id)? = v?["event_id"], case .string(let start)? = v?["start"], isStart(start.utf8)
        else { return nil }
        return (start, id)
    }

    private static let head = Array(#"{"event_id":""#.utf8)
    private static let requestKey = Array(#"","request_id":"#.utf8)
    private static let startKey = Array(#","start":""#.utf8)

    private static func fast(_ b: [UInt8]) -> (start: String, id: String)? {
        b.withUnsafeBufferPointer { p in
            guard isWellFormed(p) else { return nil }
            return spans(p).map {
                (String(decoding: p[$0.start], as: UTF8.self), String(decoding: p[$0.id], as: UTF8.self))
            }
        }
    }

    /// Where the start and the event id lie in a line written by auditpipe, or nil for any other line. Only the
    /// line's head is read: the archive run checks the whole line (`isWellFormed`) where it compresses it.
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
        guard i < b.count, b[i] == UInt8(ascii: "\""), isStart(b[startBegin..<i]) else { return nil }
        return (startBegin..<i, idStart..<idEnd)
    }

    /// True when the line is one JSON object, read as JSON is written, with no key twice in any object. A line
    /// in auditpipe's key order had only its id and start read: a number `012`, an escape `\i`, text after the
    /// object or a second `start` was archived, passed `verify`, and was lost or misdated by `query` (a new-user
    /// trial).
    static func isWellFormed(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var keys: [Range<Int>] = []
        return isWellFormed(b, keys: &keys)
    }

    /// `isWellFormed`, with a scratch for keys that the caller reuses from line to line.
    private static func isWellFormed(_ b: UnsafeBufferPointer<UInt8>, keys: inout [Range<Int>]) -> Bool {
        keys.removeAll(keepingCapacity: true)
        var s = JSONScanner(b, maxDepth: 64)
        s.skipWhitespace()
        guard s.peek == UInt8(ascii: "{") else { return false }
        do throws(JSONSyntaxError) {
            try value(&s, depth: 0, keys: &keys)
        } catch {
            return false
        }
        s.skipWhitespace()
        guard s.pos == b.count else { return false }
        // JSON text is UTF-8 (a fourth trial archived `al\xffice` byte for byte).
        return isASCII(b) || String(validating: b, as: UTF8.self) != nil
    }

    /// True when no byte has its high bit set, looked at eight bytes at a time.
    private static func isASCII(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = b.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i + 8 <= b.count {
            if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            i += 8
        }
        while i < b.count {
            if b[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }

    /// True for a start as auditpipe writes it: `YYYY-MM-DDTHH:MM:SS.mmmZ`, a time of the calendar, in UTC. An
    /// offset (`-05:00`) put an event of one UTC day into another's file, and `T99:99` passed (a fourth trial).
    static func isStart(_ t: some Collection<UInt8>) -> Bool {
        // Read in place (a copy of each line's start was an allocation per line on the merge's fast path).
        guard t.count == 24 else { return false }
        var b: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &b) { raw in
            for (i, c) in t.enumerated() { raw[i] = c }
        }
        func at(_ i: Int) -> UInt8 { withUnsafeBytes(of: b) { $0[i] } }
        guard at(4) == 0x2D, at(7) == 0x2D, at(10) == 0x54, at(13) == 0x3A, at(16) == 0x3A, at(19) == 0x2E,
            at(23) == 0x5A
        else { return false }
        func number(_ r: Range<Int>) -> Int? {
            var n = 0
            for i in r {
                let c = at(i)
                guard c >= 48 && c <= 57 else { return nil }
                n = n * 10 + Int(c - 48)
            }
            return n
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            number(20..<23) != nil, (1...12).contains(month), hour < 24, minute < 60, second < 60
        else { return false }
        return day >= 1 && day <= UTCTime.daysInMonth(year: year, month: month)
    }

    /// The first line of `chunk` (lines ending in a newline) that is not well-formed, or nil.
    static func firstMalformedLine(in chunk: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        guard let base = chunk.baseAddress else { return nil }
        var keys: [Range<Int>] = []
        keys.reserveCapacity(64)
        var start = 0
        while start < chunk.count {
            var end = chunk.count
            if let newline = memchr(base + start, 10, chunk.count - start) {
                end = UnsafeRawPointer(newline) - UnsafeRawPointer(base)
            }
            let line = UnsafeBufferPointer(rebasing: chunk[start..<end])
            if !isWellFormed(line, keys: &keys) { return line }
            start = end + 1
        }
        return nil
    }

    /// Validates the value at the cursor; an object's keys are kept in `keys` while it is read (a stack shared
    /// with the objects inside it), and a key met twice is an error.
    private static func value(_ s: inout JSONScanner, depth: Int, keys: inout [Range<Int>]) throws(JSONSyntaxError) {
        s.skipWhitespace()
        guard depth < 64 else { throw s.fail("nesting too deep") }
        switch s.peek {
        case UInt8(ascii: "{"):
            s.pos += 1
            let base = keys.count
            defer { keys.removeSubrange(base...) }
            s.skipWhitespace()
            if s.peek == UInt8(ascii: "}") {
                s.pos += 1
                return
            }
            // Once a key of this object has an escape, keys are compared as read (decoded): `"start"` and
            // `"\u0073tart"` are one key to every reader (a fourth trial archived a second start so spelled).
            var decoded: Set<[UInt8]>?
            while true {
                s.skipWhitespace()
                let key = try s.scanString()
                let range = key.start..<key.end
                if key.escaped && decoded == nil {
                    decoded = Set(keys[base...].map { Array(s.b[$0]) })
                }
                if decoded != nil {
                    guard decoded!.insert(Array(s.decode(key).utf8)).inserted else { throw s.fail("a key given twice") }
                } else if let bytes = s.b.baseAddress {
                    for k in keys[base...]
                    where k.count == range.count && memcmp(bytes + k.lowerBound, bytes + range.lowerBound, k.count) == 0
                    {
                        throw s.fail("a key given twice")
                    }
                }
                keys.append(range)
                try s.expect(UInt8(ascii: ":"))
                try value(&s, depth: depth + 1, keys: &keys)
                s.skipWhitespace()
                guard let c = s.peek else { throw s.fail("unexpected end of line") }
                s.pos += 1
                if c == UInt8(ascii: "}") { return }
                guard c == UInt8(ascii: ",") else { throw s.fail("expected ',' or '}'") }
            }
        case UInt8(ascii: "["):
            s.pos += 1
            s.skipWhitespace()
            if s.peek == UInt8(ascii: "]") {
                s.pos += 1
                return
            }
            while true {
                try value(&s, depth: depth + 1, keys: &keys)
                s.skipWhitespace()
                guard let c = s.peek else { throw s.fail("unexpected end of line") }
                s.pos += 1
                if c == UInt8(ascii: "]") { return }
                guard c == UInt8(ascii: ",") else { throw s.fail("expected ',' or ']'") }
            }
        default:
            try s.skipValue(depth: depth)
        }
    }
}
