import AuditPipe

/// Several archives answered as one catalog: pages merged newest first, counts added, `forEach` archive by
/// archive in the order given.
public struct CatalogUnion: EventCatalog {
    /// The catalogs, in order.
    public let parts: [any EventCatalog]

    /// A union of `parts` (at least one).
    public init(_ parts: [any EventCatalog]) {
        precondition(!parts.isEmpty, "a catalog union needs at least one catalog")
        self.parts = parts
    }

    public func page(_ query: CatalogQuery, limit: Int, after cursor: CatalogCursor?) throws(OutputError)
        -> CatalogPage
    {
        var total = 0
        var merged: [(key: (Int64, String), event: CatalogEvent)] = []
        var more = false
        for part in parts {
            let p = try part.page(query, limit: limit, after: cursor)
            total += p.total
            more = more || p.next != nil
            for e in p.events { merged.append((Self.key(e), e)) }
        }
        merged.sort { a, b in
            a.key.0 != b.key.0 ? a.key.0 > b.key.0 : b.key.1.utf8.lexicographicallyPrecedes(a.key.1.utf8)
        }
        if merged.count > limit {
            merged.removeLast(merged.count - limit)
            more = true
        }
        let next = more ? merged.last.map { CatalogCursor(start: $0.key.0, eventID: $0.key.1) } : nil
        return CatalogPage(total: total, events: merged.map(\.event), next: next)
    }

    public func event(id: String) throws(OutputError) -> CatalogEvent? {
        for part in parts {
            if let e = try part.event(id: id) { return e }
        }
        return nil
    }

    public func request(id: String) throws(OutputError) -> [CatalogEvent] {
        var all: [CatalogEvent] = []
        for part in parts { all += try part.request(id: id) }
        return all.enumerated().sorted { a, b in
            let ka = Self.key(a.element)
            let kb = Self.key(b.element)
            if ka.0 != kb.0 { return ka.0 < kb.0 }
            if ka.1 != kb.1 { return ka.1.utf8.lexicographicallyPrecedes(kb.1.utf8) }
            return a.offset < b.offset
        }.map(\.element)
    }

    public func forEach(_ query: CatalogQuery, _ body: (CatalogEvent) throws(OutputError) -> Void) throws(OutputError)
        -> ArchiveQuery.Counts
    {
        var counts = try parts[0].forEach(query, body)
        for part in parts.dropFirst() {
            let c = try part.forEach(query, body)
            counts.days += c.days
            counts.events += c.events
            counts.matched += c.matched
        }
        return counts
    }

    /// An event's start (UTC ns) and id.
    static func key(_ e: CatalogEvent) -> (Int64, String) {
        let start = e.value["start"]?.scalarText.flatMap { TimeBound.parse($0, now: 0) } ?? .min
        return (start, e.value["event_id"]?.scalarText ?? "")
    }
}
