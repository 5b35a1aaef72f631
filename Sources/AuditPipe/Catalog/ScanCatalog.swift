/// The catalog answered by scanning the gzip day files through `ArchiveQuery` (the source of truth, no
/// index): a page keeps only its own events while the scan counts every match, so memory is bounded by the
/// page, not the archive; `event(id:)` and `request(id:)` scan the whole archive.
public struct ScanCatalog: EventCatalog {
    /// The archive directory.
    public let root: String

    /// A catalog over the archive at `root`.
    public init(root: String) {
        self.root = root
    }

    public func page(_ query: CatalogQuery, limit: Int, after cursor: CatalogCursor?) throws(OutputError)
        -> CatalogPage
    {
        let limit = max(0, limit)
        // Newest first: kept sorted by (start, id) descending, at most `limit` entries.
        var kept: [(key: Key, event: CatalogEvent)] = []
        var total = 0
        var afterCursor = 0
        _ = try forEach(query) { event throws(OutputError) in
            total += 1
            let key = Key(event.value)
            if let cursor, !(key < Key(start: cursor.start, id: cursor.eventID)) { return }
            afterCursor += 1
            guard limit > 0 else { return }
            if kept.count == limit, !(kept[limit - 1].key < key) { return }
            var lo = 0
            var hi = kept.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if key < kept[mid].key { lo = mid + 1 } else { hi = mid }
            }
            kept.insert((key, event), at: lo)
            if kept.count > limit { kept.removeLast() }
        }
        var next: CatalogCursor?
        if afterCursor > kept.count, let last = kept.last {
            next = CatalogCursor(start: last.key.start, eventID: last.key.id)
        }
        return CatalogPage(total: total, events: kept.map(\.event), next: next)
    }

    public func event(id: String) throws(OutputError) -> CatalogEvent? {
        var found: CatalogEvent?
        let query = CatalogQuery(filter: Self.equals("event_id", id))
        _ = try forEach(query) { event throws(OutputError) in
            if found == nil { found = event }
        }
        return found
    }

    public func request(id: String) throws(OutputError) -> [CatalogEvent] {
        var events: [(key: Key, event: CatalogEvent)] = []
        _ = try forEach(CatalogQuery(filter: Self.equals("request_id", id))) { event throws(OutputError) in
            events.append((Key(event.value), event))
        }
        // Oldest first; a stable sort keeps archive order between equal keys.
        return events.sorted { $0.key < $1.key }.map(\.event)
    }

    public func forEach(_ query: CatalogQuery, _ body: (CatalogEvent) throws(OutputError) -> Void) throws(OutputError)
        -> ArchiveQuery.Counts
    {
        let terms = Self.terms(query.text)
        let scan = ArchiveQuery(root: root, since: query.since, until: query.until, filter: query.filter)
        var matched = 0
        var counts = try scan.run { line, value throws(OutputError) in
            guard Self.containsAll(terms, in: line) else { return }
            matched += 1
            try body(CatalogEvent(line: line, value: value))
        }
        // ArchiveQuery counted filter matches; free text may have narrowed them.
        counts.matched = matched
        return counts
    }

    /// The free-text terms, lowercased ASCII; empty when there is no text.
    static func terms(_ text: String?) -> [[UInt8]] {
        guard let text else { return [] }
        return text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).map {
            $0.utf8.map(lowerASCII)
        }
    }

    /// True when every term occurs in `line`, ASCII case-insensitively.
    static func containsAll(_ terms: [[UInt8]], in line: [UInt8]) -> Bool {
        for term in terms where !contains(term, in: line) { return false }
        return true
    }

    private static func contains(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        let first = needle[0]
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if lowerASCII(haystack[i]) == first {
                var j = 1
                while j < needle.count && lowerASCII(haystack[i + j]) == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }

    @inline(__always)
    private static func lowerASCII(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b + 32 : b }

    /// `field == "value"` without going through the parser (so no quoting of `value` is needed).
    private static func equals(_ field: String, _ value: String) -> FilterExpression {
        .compare(FieldPath(segments: [field], written: field), .equal, .string(value))
    }

    /// An event's place in the newest-first order: start, then event id compared as UTF-8 bytes (as SQLite's
    /// BINARY collation does).
    struct Key: Comparable {
        var start: Int64
        var id: String

        init(start: Int64, id: String) {
            self.start = start
            self.id = id
        }

        /// The key of an archived event object (an unreadable start sorts oldest).
        init(_ value: JSONValue) {
            var start = Int64.min
            if var text = value["start"]?.scalarText,
                let t = text.withUTF8({ TimestampParser(assumedYear: 1970).parseValue($0) })
            {
                start = t
            }
            self.init(start: start, id: value["event_id"]?.scalarText ?? "")
        }

        static func < (a: Key, b: Key) -> Bool {
            a.start != b.start ? a.start < b.start : a.id.utf8.lexicographicallyPrecedes(b.id.utf8)
        }
    }
}
