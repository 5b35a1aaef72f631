/// What the screen, the JSON API and `query` ask of an archive directory: one filter, one time range, free
/// text, a page at a time, newest first. Two implementations answer it the same way: a scan of the gzip
/// day files (the source of truth) and the SQLite index built beside them; a differential test holds them
/// equal.
public protocol EventCatalog: Sendable {
    /// One page of matching events, newest first (by start, then event id, both descending), after
    /// `cursor` when given; `total` counts every match, not only the page.
    func page(_ query: CatalogQuery, limit: Int, after cursor: CatalogCursor?) throws(OutputError) -> CatalogPage

    /// The event with this id, or nil.
    func event(id: String) throws(OutputError) -> CatalogEvent?

    /// Every event of one request id, oldest first.
    func request(id: String) throws(OutputError) -> [CatalogEvent]

    /// Calls `body` with every matching event in archive order (day, then line), as `query` writes them;
    /// returns the counts.
    func forEach(_ query: CatalogQuery, _ body: (CatalogEvent) throws(OutputError) -> Void) throws(OutputError)
        -> ArchiveQuery.Counts
}

/// A catalog question: a filter expression, a start range and free text, all of which must hold.
public struct CatalogQuery: Sendable {
    /// The filter language expression, or nil for all.
    public var filter: FilterExpression?
    /// Event start bounds, UTC nanoseconds (inclusive since, exclusive until).
    public var since: Int64?
    public var until: Int64?
    /// Free text: every whitespace-separated term must occur, ASCII case-insensitively, in the event's
    /// archived JSON line.
    public var text: String?

    /// Creates a query.
    public init(filter: FilterExpression? = nil, since: Int64? = nil, until: Int64? = nil, text: String? = nil) {
        self.filter = filter
        self.since = since
        self.until = until
        self.text = text
    }
}

/// Where a newest-first page ends: the start and id of its last event. Written into URLs as
/// `START_NS.EVENT_ID`.
public struct CatalogCursor: Sendable, Equatable {
    public var start: Int64
    public var eventID: String

    /// Creates a cursor.
    public init(start: Int64, eventID: String) {
        self.start = start
        self.eventID = eventID
    }

    /// The URL form, `START_NS.EVENT_ID`.
    public var text: String { "\(start).\(eventID)" }

    /// Parses the URL form; nil when malformed.
    public init?(text: String) {
        guard let dot = text.firstIndex(of: "."), let start = Int64(text[..<dot]) else { return nil }
        let id = String(text[text.index(after: dot)...])
        guard !id.isEmpty, id.utf8.count <= 128 else { return nil }
        self.init(start: start, eventID: id)
    }
}

/// An archived event: its exact line (no newline) and the parsed object.
public struct CatalogEvent: Sendable {
    public let line: [UInt8]
    public let value: JSONValue

    /// Creates one.
    public init(line: [UInt8], value: JSONValue) {
        self.line = line
        self.value = value
    }
}

/// One page of a catalog answer.
public struct CatalogPage: Sendable {
    /// Every match of the query, not only this page.
    public var total: Int
    public var events: [CatalogEvent]
    /// Where the next page starts, or nil on the last page.
    public var next: CatalogCursor?

    /// Creates one.
    public init(total: Int, events: [CatalogEvent], next: CatalogCursor?) {
        self.total = total
        self.events = events
        self.next = next
    }
}
