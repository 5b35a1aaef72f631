/// Merges a day's event lines from several sources (the archive already there, the live file): sorted by
/// start then event_id, duplicates by event_id dropped, lines kept byte for byte (but for the `\r` of a CRLF line
/// end, which `DaySource` reads as LF, as the reader does). Of lines with one event_id
/// the first source's wins (the archived event, then the live file's first): a line with an archived event's
/// id and other content never replaces it, and is handed back as a conflict instead of dropped. Only keys and offsets are
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

    /// A line dropped for its event_id whose bytes differ from the line kept with that id.
    struct Conflict {
        /// The line, without its newline.
        var line: [UInt8]
        /// Its source's index.
        var source: Int
    }

    /// Events kept, duplicates dropped (byte for byte a kept line), and the first and last start.
    let events: Int
    let dropped: Int
    /// Lines dropped for an event_id a kept line has, with other content, in merge order.
    let conflicts: [Conflict]
    let first: String?
    let last: String?
    private let sources: [DaySource]
    private let kept: [Kept]
    private var next = 0
    private var cutAny = false

    /// Reads the keys of every line of `sources` (the one whose lines win first) and orders them; `source` names
    /// the live file in errors. Every event must start on `day` (what `verify` checks of an archived day), or
    /// nothing is archived.
    init(_ sources: [DaySource], source: String, day: String) throws(OutputError) {
        self.sources = sources
        var entries: [Entry] = []
        // Where the first and the last line in start order lie (source, offset), to name one on the wrong day.
        var ends: [(source: Int, start: Int)?] = [nil, nil]
        var allFast = true
        for (s, src) in sources.enumerated() where allFast {
            try src.forEachLine { line, start, end, _ in
                guard let spans = EventLineKey.spans(line), let key = Self.packed(line, spans) else {
                    allFast = false
                    return false
                }
                entries.append(Entry(key: key, source: Int32(s), start: start, end: end))
                return true
            }
        }
        var kept: [Kept] = []
        var conflicts: [Conflict] = []
        if allFast {
            entries.sort { a, b in
                let (x, y) = (a.key, b.key)
                if (x.0, x.1, x.2, x.3) != (y.0, y.1, y.2, y.3) { return (x.0, x.1, x.2, x.3) < (y.0, y.1, y.2, y.3) }
                if (x.4, x.5, x.6) != (y.4, y.5, y.6) { return (x.4, x.5, x.6) < (y.4, y.5, y.6) }
                return (a.source, a.start) < (b.source, b.start)
            }
            // An event id is derived from its start, so duplicates sort next to each other, the winner first.
            var previous: Entry?
            for e in entries {
                if let p = previous, (p.key.3, p.key.4, p.key.5, p.key.6) == (e.key.3, e.key.4, e.key.5, e.key.6) {
                    if let line = try Self.differs(sources, (p.source, p.start, p.end), (e.source, e.start, e.end)) {
                        conflicts.append(Conflict(line: line, source: Int(e.source)))
                    }
                    continue
                }
                kept.append(Kept(start: e.start, end: e.end, source: e.source))
                previous = e
            }
            first = entries.first.map { Self.startText($0.key) }
            last = entries.last.map { Self.startText($0.key) }
            ends = [entries.first, entries.last].map { $0.map { (Int($0.source), $0.start) } }
            dropped = entries.count - kept.count - conflicts.count
        } else {
            entries = []
            var slow: [(start: String, id: String, source: Int32, range: Range<Int>)] = []
            for (s, src) in sources.enumerated() {
                try src.forEachLine { line, start, end, n throws(OutputError) in
                    guard let (startText, id) = EventLineKey.of(line) else {
                        throw OutputError(
                            path: src.name,
                            message:
                                "line \(n)\(src.name == source ? "" : " (inflated)") is not an audit event (one JSON object with an event_id and a start written YYYY-MM-DDTHH:MM:SS.mmmZ, in UTF-8, no key twice)"
                        )
                    }
                    slow.append((startText, id, Int32(s), start..<end))
                    return true
                }
            }
            slow.sort {
                ($0.start, $0.id, $0.source, $0.range.lowerBound) < ($1.start, $1.id, $1.source, $1.range.lowerBound)
            }
            var winners: [String: Int] = [:]
            for o in slow {
                if let w = winners[o.id] {
                    let k = kept[w]
                    if let line = try Self.differs(
                        sources, (k.source, k.start, k.end), (o.source, o.range.lowerBound, o.range.upperBound))
                    {
                        conflicts.append(Conflict(line: line, source: Int(o.source)))
                    }
                    continue
                }
                winners[o.id] = kept.count
                kept.append(Kept(start: o.range.lowerBound, end: o.range.upperBound, source: o.source))
            }
            first = slow.first?.start
            last = slow.last?.start
            ends = [slow.first, slow.last].map { $0.map { (Int($0.source), $0.range.lowerBound) } }
            dropped = slow.count - kept.count - conflicts.count
        }
        // Sorted by start: when the first and the last start on the day, every line between them does.
        for (start, at) in zip([first, last], ends) {
            if let start, !start.hasPrefix(day) {
                // Named by its line (a failed run only: the source is read again up to the line).
                let src = at.map { sources[$0.source] }
                let line = at.map {
                    " (line \(sources[$0.source].lineNumber(at: $0.start))\(src?.name == source ? "" : ", inflated"))"
                }
                throw OutputError(
                    path: src?.name ?? source,
                    message:
                        "an event\(line ?? "") starts on \(start.prefix(10)), not on \(day) (the file's day); an archived day holds only its own events"
                )
            }
        }
        events = kept.count
        self.kept = kept
        self.conflicts = conflicts
    }

    /// The line at `b` when its bytes differ from the line at `a` (one event_id, other content), else nil.
    private static func differs(
        _ sources: [DaySource], _ a: (source: Int32, start: Int, end: Int), _ b: (source: Int32, start: Int, end: Int)
    ) throws(OutputError) -> [UInt8]? {
        var y: [UInt8] = []
        try sources[Int(b.source)].append(b.start, b.end, to: &y)
        if a.end - a.start == b.end - b.start {
            var x: [UInt8] = []
            try sources[Int(a.source)].append(a.start, a.end, to: &x)
            // A copy of the kept line: checked with it where the day is compressed.
            if x == y { return nil }
        }
        // A line kept aside is never compressed, so it is checked here: a malformed one (a key twice, bytes that
        // are not UTF-8) with an archived event's id went to the conflicts file and the day was archived (a
        // new-user trial).
        guard y.withUnsafeBufferPointer(EventLineKey.isWellFormed) else {
            throw OutputError(
                path: sources[Int(b.source)].name,
                message:
                    "a line with the event_id of an earlier one is not an audit event (one JSON object, read as JSON is written, in UTF-8, no key twice): \(String(decoding: y.prefix(160), as: UTF8.self))"
            )
        }
        return y
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
