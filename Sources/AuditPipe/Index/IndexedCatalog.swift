/// The `EventCatalog` answered from `ARCHIVE/index.sqlite`: the filter's conjuncts on indexed fields and the
/// free text (FTS5 trigrams) narrow the candidates in SQL, and every candidate is checked with the real
/// query against its real line, read by inflating only its gzip member, so the answers are the scan's by
/// construction. Pages are keyset pages, newest first; memory is bounded by the page and a few members.
public final class IndexedCatalog: EventCatalog {
    /// The archive directory.
    public let root: String
    private let db: SQLiteDatabase
    private let members: MemberCache
    /// Indexed days, sorted.
    private let days: [String]

    /// Opens the index of the archive under `root` (read-only); fails when there is none.
    public init(archive root: String) throws(OutputError) {
        self.root = root
        let path = ArchiveIndex.path(archive: root)
        db = try SQLiteDatabase(path: path, create: false, readOnly: true)
        guard try ArchiveIndex.schema(db) == ArchiveIndex.schemaVersion else {
            throw OutputError(path: path, message: "the index has another schema (run auditpipe index --rebuild)")
        }
        days = try ArchiveIndex.indexedDays(db).keys.sorted()
        let db = db
        members = MemberCache(root: root) { (day, offset) throws(OutputError) in
            try ArchiveIndex.memberDigest(db, day: day, offset: offset)
        }
    }

    /// How a query runs on the index: the SQL condition on candidates and whether it is exact on regular rows.
    struct Plan {
        /// Holds for every candidate row (the day range, and `irregular OR` the narrowing).
        var condition: String
        /// The narrowing alone, for counting regular rows when `exact`.
        var regular: String
        /// The day range alone.
        var dayRange: String
        var exact: Bool
    }

    /// The plan of `query`.
    func plan(_ query: CatalogQuery) -> Plan {
        var range: [String] = []
        let (first, last) = CatalogMatch.dayRange(query)
        if let first { range.append("day >= \(FilterSQL.quote(first))") }
        if let last { range.append("day <= \(FilterSQL.quote(last))") }
        var regular: [String] = []
        if let since = query.since { regular.append("(start_ns >= \(since) OR start_ns IS NULL)") }
        if let until = query.until { regular.append("(start_ns < \(until) OR start_ns IS NULL)") }
        var exact = true
        if let filter = query.filter {
            let sql = FilterSQL.translate(filter)
            if let c = sql.condition { regular.append(c) }
            exact = sql.exact
        }
        let terms = CatalogMatch.writtenTerms(query.text)
        if !terms.isEmpty { exact = false }
        let textDays = days.filter { d in first.map { d >= $0 } ?? true && last.map { d <= $0 } ?? true }
        for term in terms {
            guard let match = Self.trigramQuery(term) else { continue }
            let tables = textDays.map { d in
                "SELECT rowid FROM \(ArchiveIndex.textTable(d)) WHERE \(ArchiveIndex.textTable(d)) MATCH \(FilterSQL.quote(match))"
            }
            regular.append(tables.isEmpty ? "0" : "id IN (\(tables.joined(separator: " UNION ALL ")))")
        }
        let dayRange = range.isEmpty ? "1" : range.joined(separator: " AND ")
        let narrowing = regular.isEmpty ? "1" : regular.joined(separator: " AND ")
        return Plan(
            condition: regular.isEmpty ? dayRange : "\(dayRange) AND (irregular OR (\(narrowing)))", regular: narrowing,
            dayRange: dayRange, exact: exact)
    }

    /// An FTS5 query every line holding `term` (ASCII case-insensitively) matches: its trigrams, ANDed; nil
    /// when the term is shorter than a trigram (or holds a control character).
    static func trigramQuery(_ term: String) -> String? {
        let scalars = Array(term.unicodeScalars)
        guard scalars.count >= 3, scalars.allSatisfy({ $0.value >= 0x20 }) else { return nil }
        var grams: [String] = []
        for i in 0...(scalars.count - 3) {
            var g = String.UnicodeScalarView()
            g.append(contentsOf: scalars[i..<i + 3])
            let text = String(g)
            grams.append("\"" + text.replacing("\"", with: "\"\"") + "\"")
        }
        return grams.joined(separator: " AND ")
    }

    private static let rowColumns =
        "day, line, member_offset, member_length, line_offset, line_length, sort_start, sort_id, irregular"

    /// Runs `sql` (selecting `rowColumns`), handing on each row; `body` returns false to stop.
    private func rows(_ sql: String, _ values: [SQLiteValue] = [], _ body: (IndexRow) throws(OutputError) -> Bool)
        throws(OutputError)
    {
        try CatalogDeadline.check(db.path)
        let s = try db.prepare(sql)
        try s.bind(values)
        while try s.step() {
            try CatalogDeadline.check(db.path)
            let row = IndexRow(
                day: s.text(0) ?? "", line: s.int(1), memberOffset: s.int(2), memberLength: s.int(3),
                lineOffset: s.int(4), lineLength: s.int(5), sortStart: s.int(6), sortID: s.text(7) ?? "",
                irregular: s.int(8) != 0, values: [])
            guard try body(row) else { return }
        }
    }

    /// The row's line, checked to be the event the index says it is.
    private func line(_ row: IndexRow) throws(OutputError) -> [UInt8] {
        let line = try members.line(row)
        if !row.irregular, EventLineKey.of(line)?.id != row.sortID {
            throw OutputError(
                path: ArchiveLayout.archiveFile(root, day: row.day),
                message: "the index does not match the archive (run auditpipe index --rebuild)")
        }
        return line
    }

    /// One newest-first page after `cursor`: candidates in (start, id) descending order, each checked on its
    /// line; `total` from SQL COUNT when the whole query translates, else by checking every candidate.
    public func page(_ query: CatalogQuery, limit: Int, after cursor: CatalogCursor?) throws(OutputError)
        -> CatalogPage
    {
        let plan = plan(query)
        let terms = CatalogMatch.terms(query.text)
        var keyset = ""
        var values: [SQLiteValue] = []
        if let cursor {
            keyset = " AND (sort_start < ? OR (sort_start = ? AND sort_id < ?))"
            values = [.int(cursor.start), .int(cursor.start), .text(cursor.eventID)]
        }
        let order = " ORDER BY sort_start DESC, sort_id DESC"
        // Irregular rows (few; candidates of every query) apart, so the planner can serve the regular ones
        // from an index; the two newest-first streams are merged.
        var irregular: [IndexRow] = []
        try rows(
            "SELECT \(Self.rowColumns) FROM events INDEXED BY events_irregular WHERE irregular AND \(plan.dayRange)\(keyset)\(order)",
            values
        ) { row in
            irregular.append(row)
            return true
        }
        var events: [CatalogEvent] = []
        var keys: [CatalogCursor] = []
        var more = false
        var exhausted = true
        /// Takes one candidate; false once the page is full and one more match was seen.
        func take(_ row: IndexRow) throws(OutputError) -> Bool {
            let line = try line(row)
            guard let v = CatalogMatch.matches(line, query, terms: terms) else { return true }
            if events.count >= limit {
                more = true
                exhausted = false
                return false
            }
            events.append(CatalogEvent(line: line, value: v))
            keys.append(CatalogCursor(start: row.sortStart, eventID: row.sortID))
            return true
        }
        var next = 0
        let regular =
            "SELECT \(Self.rowColumns) FROM events WHERE \(plan.dayRange) AND NOT irregular AND (\(plan.regular))"
        try rows(regular + keyset + order, values) { (row) throws(OutputError) in
            while next < irregular.count, Self.newer(irregular[next], than: row) {
                guard try take(irregular[next]) else { return false }
                next += 1
            }
            return try take(row)
        }
        while exhausted, next < irregular.count {
            guard try take(irregular[next]) else { break }
            next += 1
        }
        let total: Int
        if cursor == nil && exhausted {
            total = events.count
        } else {
            total = try count(query, plan: plan, terms: terms)
        }
        return CatalogPage(total: total, events: events, next: more ? keys.last : nil)
    }

    /// True when `a` comes before `b` newest first (start, then event id as UTF-8 bytes, both descending).
    static func newer(_ a: IndexRow, than b: IndexRow) -> Bool {
        a.sortStart != b.sortStart ? a.sortStart > b.sortStart : b.sortID.utf8.lexicographicallyPrecedes(a.sortID.utf8)
    }

    /// The number of matches: from SQL COUNT when the plan is exact (only irregular rows are read), else by
    /// checking every candidate.
    private func count(_ query: CatalogQuery, plan: Plan, terms: [[UInt8]]) throws(OutputError) -> Int {
        var n = 0
        var sql = "SELECT \(Self.rowColumns) FROM events WHERE \(plan.condition) ORDER BY day, line"
        if plan.exact {
            n = Int(
                try db.integer(
                    "SELECT count(*) FROM events WHERE \(plan.dayRange) AND NOT irregular AND (\(plan.regular))"))
            sql =
                "SELECT \(Self.rowColumns) FROM events INDEXED BY events_irregular WHERE irregular AND \(plan.dayRange) ORDER BY day, line"
        }
        try rows(sql) { (row) throws(OutputError) in
            if CatalogMatch.matches(try line(row), query, terms: terms) != nil { n += 1 }
            return true
        }
        return n
    }

    /// The first event (archive order) whose `event_id` is `id`, found through the event id column.
    public func event(id: String) throws(OutputError) -> CatalogEvent? {
        var found: CatalogEvent?
        try matches(CatalogQuery(filter: Self.equals("event_id", id))) { event in
            found = event
            return false
        }
        return found
    }

    /// Every event of request `id`, oldest first, found through the request id column.
    public func request(id: String) throws(OutputError) -> [CatalogEvent] {
        var found: [(key: ScanCatalog.Key, event: CatalogEvent)] = []
        try matches(CatalogQuery(filter: Self.equals("request_id", id))) { event in
            found.append((ScanCatalog.Key(event.value), event))
            return true
        }
        // Oldest first, archive order between equal keys (as the scan orders them).
        return found.sorted { $0.key < $1.key }.map(\.event)
    }

    /// Every match in archive order (day, then line), with the scan's counts (days and events in range from
    /// the index's day table).
    public func forEach(_ query: CatalogQuery, _ body: (CatalogEvent) throws(OutputError) -> Void) throws(OutputError)
        -> ArchiveQuery.Counts
    {
        var counts = ArchiveQuery.Counts()
        let s = try db.prepare("SELECT count(*), IFNULL(sum(events), 0) FROM days WHERE \(plan(query).dayRange)")
        if try s.step() {
            counts.days = Int(s.int(0))
            counts.events = Int(s.int(1))
        }
        try matches(query) { (event) throws(OutputError) in
            counts.matched += 1
            try body(event)
            return true
        }
        return counts
    }

    /// Hands on every match of `query` in archive order (day, then line) until `body` returns false.
    private func matches(_ query: CatalogQuery, _ body: (CatalogEvent) throws(OutputError) -> Bool)
        throws(OutputError)
    {
        let terms = CatalogMatch.terms(query.text)
        try rows("SELECT \(Self.rowColumns) FROM events WHERE \(plan(query).condition) ORDER BY day, line") {
            (row) throws(OutputError) in
            let line = try line(row)
            guard let v = CatalogMatch.matches(line, query, terms: terms) else { return true }
            return try body(CatalogEvent(line: line, value: v))
        }
    }

    /// `field == "value"`, built directly (the value needs no quoting), as the scan looks ids up.
    private static func equals(_ field: String, _ value: String) -> FilterExpression {
        .compare(FieldPath(segments: [field], written: field), .equal, .string(value))
    }
}
