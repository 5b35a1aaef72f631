/// Merges a day's event lines from several sources (the live file, the archive already there): sorted by
/// start then event_id, duplicates by event_id dropped, lines kept byte for byte. Only keys and offsets are
/// held; the lines are read from their sources again, in order, as members are cut. Lines written by
/// auditpipe sort on fixed-width keys packed into integers; any other line falls back to string keys.
struct DayMerge {
    /// One line: where it is and its key.
    private struct Entry {
        var key: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
        var source: Int32
        var start: Int
        var end: Int
    }

    /// A line kept, in output order.
    private struct Kept {
        var start: Int
        var end: Int
        var source: Int32
    }

    /// Events kept, duplicates dropped, and the first and last start.
    let events: Int
    let dropped: Int
    let first: String?
    let last: String?
    private let sources: [DaySource]
    private let kept: [Kept]
    private var next = 0
    private var cutAny = false

    /// Reads the keys of every line of `sources` and orders them; `source` names the live file in errors. Every
    /// event must start on `day` (what `verify` checks of an archived day), or nothing is archived.
    init(_ sources: [DaySource], source: String, day: String) throws(OutputError) {
        self.sources = sources
        var entries: [Entry] = []
        var allFast = true
        for (s, src) in sources.enumerated() where allFast {
            try src.forEachLine { line, start, end in
                guard let spans = EventLineKey.spans(line), let key = Self.packed(line, spans) else {
                    allFast = false
                    return false
                }
                entries.append(Entry(key: key, source: Int32(s), start: start, end: end))
                return true
            }
        }
        var kept: [Kept] = []
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
                kept.append(Kept(start: e.start, end: e.end, source: e.source))
                previous = e
            }
            first = entries.first.map { Self.startText($0.key) }
            last = entries.last.map { Self.startText($0.key) }
            dropped = entries.count - kept.count
        } else {
            entries = []
            var slow: [(start: String, id: String, source: Int32, range: Range<Int>)] = []
            for (s, src) in sources.enumerated() {
                var n = 0
                try src.forEachLine { line, start, end throws(OutputError) in
                    n += 1
                    guard let (startText, id) = EventLineKey.of(line) else {
                        throw OutputError(path: source, message: "line \(n) is not an audit event (no event_id/start)")
                    }
                    slow.append((startText, id, Int32(s), start..<end))
                    return true
                }
            }
            slow.sort { ($0.start, $0.id) < ($1.start, $1.id) }
            var seen = Set<String>()
            for o in slow where seen.insert(o.id).inserted {
                kept.append(Kept(start: o.range.lowerBound, end: o.range.upperBound, source: o.source))
            }
            first = slow.first?.start
            last = slow.last?.start
            dropped = slow.count - kept.count
        }
        // Sorted by start: when the first and the last start on the day, every line between them does.
        for start in [first, last] {
            if let start, !start.hasPrefix(day) {
                throw OutputError(
                    path: source,
                    message:
                        "an event starts on \(start.prefix(10)), not on \(day) (the file's day); an archived day holds only its own events"
                )
            }
        }
        events = kept.count
        self.kept = kept
    }

    /// The next member's content: whole lines (each with its newline) in order, from the first line end at
    /// or past `bytes` — so the cuts depend only on the content. One empty chunk for an empty day; nil
    /// once every line was cut.
    mutating func nextChunk(bytes: Int) throws(OutputError) -> [UInt8]? {
        if next == kept.count {
            if cutAny { return nil }
            cutAny = true
            return []
        }
        cutAny = true
        var chunk: [UInt8] = []
        chunk.reserveCapacity(bytes + (4 << 10))
        while next < kept.count && chunk.count < bytes {
            let k = kept[next]
            try sources[Int(k.source)].append(k.start, k.end, to: &chunk)
            chunk.append(10)
            next += 1
        }
        return chunk
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
