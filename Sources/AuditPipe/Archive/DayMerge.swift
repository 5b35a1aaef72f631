/// Merges a day's event lines from several buffers (the live file, the archive already there): sorted by
/// start then event_id, duplicates by event_id dropped, lines kept byte for byte. Lines written by
/// auditpipe sort on fixed-width keys packed into integers; any other line falls back to string keys.
enum DayMerge {
    /// One line: where it is and its key.
    private struct Entry {
        var key: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
        var buffer: Int32
        var start: Int
        var end: Int
    }

    static func merge(_ buffers: [[UInt8]], source: String) throws(OutputError) -> (
        content: [UInt8], events: Int, dropped: Int, first: String?, last: String?
    ) {
        var entries: [Entry] = []
        var allFast = true
        scan: for (b, buf) in buffers.enumerated() {
            buf.withUnsafeBufferPointer { p in
                var lineStart = 0
                while allFast, lineStart < p.count {
                    var end = lineStart
                    while end < p.count, p[end] != 10 { end += 1 }
                    defer { lineStart = end + 1 }
                    if end == lineStart { continue }
                    let line = UnsafeBufferPointer(rebasing: p[lineStart..<end])
                    guard let spans = EventLineKey.spans(line), let key = packed(line, spans) else {
                        allFast = false
                        return
                    }
                    entries.append(Entry(key: key, buffer: Int32(b), start: lineStart, end: end))
                }
            }
            if !allFast { break scan }
        }
        var slow: [(start: String, id: String, buffer: Int, range: Range<Int>)] = []
        if !allFast {
            for (b, buf) in buffers.enumerated() {
                var lineStart = 0
                var n = 0
                while lineStart < buf.count {
                    let end = buf[lineStart...].firstIndex(of: 10) ?? buf.count
                    defer { lineStart = end + 1 }
                    if end == lineStart { continue }
                    n += 1
                    guard let (start, id) = EventLineKey.of(buf[lineStart..<end]) else {
                        throw OutputError(path: source, message: "line \(n) is not an audit event (no event_id/start)")
                    }
                    slow.append((start, id, b, lineStart..<end))
                }
            }
        }
        var content: [UInt8] = []
        content.reserveCapacity(buffers.reduce(0) { $0 + $1.count })
        var events = 0
        if allFast {
            entries.sort { a, b in
                let (x, y) = (a.key, b.key)
                if (x.0, x.1, x.2, x.3) != (y.0, y.1, y.2, y.3) { return (x.0, x.1, x.2, x.3) < (y.0, y.1, y.2, y.3) }
                return (x.4, x.5, x.6) < (y.4, y.5, y.6)
            }
            // An event id is derived from its start, so duplicates sort next to each other.
            var previous: Entry?
            for e in entries {
                if let p = previous, (p.key.3, p.key.4, p.key.5, p.key.6) == (e.key.3, e.key.4, e.key.5, e.key.6) {
                    continue
                }
                content.append(contentsOf: buffers[Int(e.buffer)][e.start..<e.end])
                content.append(10)
                events += 1
                previous = e
            }
            let first = entries.first.map { startText($0.key) }
            let last = entries.last.map { startText($0.key) }
            return (content, events, entries.count - events, first, last)
        }
        slow.sort { ($0.start, $0.id) < ($1.start, $1.id) }
        var seen = Set<String>()
        for o in slow where seen.insert(o.id).inserted {
            content.append(contentsOf: buffers[o.buffer][o.range])
            content.append(10)
            events += 1
        }
        return (content, events, slow.count - events, slow.first?.start, slow.last?.start)
    }

    private static func startText(_ key: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)) -> String {
        withUnsafeBytes(of: (key.0.bigEndian, key.1.bigEndian, key.2.bigEndian)) { String(decoding: $0, as: UTF8.self) }
    }

    /// The 24-byte start and 32-byte id as big-endian words (byte order = sort order), when they have those widths.
    private static func packed(_ line: UnsafeBufferPointer<UInt8>, _ spans: (start: Range<Int>, id: Range<Int>))
        -> (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)?
    {
        guard spans.start.count == 24, spans.id.count == 32 else { return nil }
        func word(_ at: Int) -> UInt64 {
            var w: UInt64 = 0
            for k in 0..<8 { w = w << 8 | UInt64(line[at + k]) }
            return w
        }
        let s = spans.start.lowerBound
        let i = spans.id.lowerBound
        return (word(s), word(s + 8), word(s + 16), word(i), word(i + 8), word(i + 16), word(i + 24))
    }
}
