import Foundation
import Testing

@testable import AuditPipe

/// The index answers as the scan does: for many random queries (field equality, status classes and ranges,
/// and/or/not, time ranges, free text, expressions the index cannot translate) IndexedCatalog and
/// ScanCatalog give the same totals and pages, keyset paging returns every match once in order, and ids
/// and requests are found alike.
@Suite(.serialized) struct IndexedCatalogDifferentialTests {
    /// One archive for the suite: days of many gzip members (64 KiB each), irregular events on two days.
    static func archive() async throws -> String {
        try await SharedArchive.shared.path { dir in
            try await ArchiveFixture.build(in: dir, perDay: [1_200, 400, 300, 500], seed: 42)
        }
    }

    /// Values seen in the archive per field, for equality atoms that hit.
    static func values(_ root: String) throws -> [String: [String]] {
        var seen: [String: Set<String>] = [:]
        let paths = [
            "actor.user", "action", "entity.type", "entity.id", "access.kind", "outcome.result", "actor.origin",
            "api.method", "request_id", "access.file_type",
        ]
        _ = try ScanCatalog(root: root).forEach(CatalogQuery()) { e in
            for p in paths {
                if let v = e.value.value(at: p.split(separator: ".").map(String.init))?.scalarText {
                    seen[p, default: []].insert(v)
                }
            }
        }
        return seen.mapValues { $0.sorted() }
    }

    /// A random filter expression (as text) over the archive's fields.
    static func randomFilter(_ rng: inout SplitMix64, values: [String: [String]], depth: Int = 0) -> String {
        if depth < 3 && rng.chance(0.45) {
            let a = randomFilter(&rng, values: values, depth: depth + 1)
            let b = randomFilter(&rng, values: values, depth: depth + 1)
            switch rng.below(3) {
            case 0: return "(\(a) and \(b))"
            case 1: return "(\(a) or \(b))"
            default: return "not (\(a))"
            }
        }
        let fields = values.keys.sorted()
        switch rng.below(14) {
        case 0, 1, 2:
            let f = rng.pick(fields)
            let v = rng.chance(0.85) ? rng.pick(values[f] ?? ["x"]) : "no-such-value"
            return "\(f) \(rng.pick(["==", "!="])) \"\(v)\""
        case 3: return "status == \(rng.pick(["2xx", "3xx", "4xx", "5xx"]))"
        case 4:
            return "status \(rng.pick(["<", "<=", ">", ">=", "==", "!="])) \(rng.pick([200, 204, 302, 403, 404, 500]))"
        case 5: return "status in [\(rng.pick(["200, 404", "403, 500, 503", "201"]))]"
        case 6: return "services contains \"\(rng.pick(["api-gateway", "reports", "auth", "files", "billing"]))\""
        case 7: return "\(rng.pick(["user", "entity.type", "action"])) == null"
        case 8: return "api.path ~ \"\(rng.pick(["/api/v1/reports/*", "/api/*", "*export", "/api/v?/files/*"]))\""
        case 9: return "user =~ \"^\(rng.pick(["a", "b", "c", "svc"]))\""
        case 10: return "records \(rng.pick([">", "<="])) \(rng.pick([2, 4, 6]))"
        case 11: return "flags contains \"\(rng.pick(["late", "uncorrelated", "partial"]))\""
        case 12:
            let d = 1 + rng.below(4)
            return "start \(rng.pick([">=", "<"])) \"2026-11-0\(d)T08:0\(rng.below(10)):00Z\""
        default: return "entity.id contains \"\(rng.pick(["sales", "PO-", "1", "x"]))\""
        }
    }

    static func randomQuery(_ rng: inout SplitMix64, values: [String: [String]]) throws -> (CatalogQuery, String) {
        var q = CatalogQuery()
        var text = ""
        if rng.chance(0.8) {
            let f = randomFilter(&rng, values: values)
            q.filter = try FilterParser.parse(f)
            text += f
        }
        if rng.chance(0.3) {
            q.since =
                (ArchiveFixture.firstDay + Int64(rng.below(3)) * 86_400 + 8 * 3_600 + Int64(rng.below(300)))
                * UTCTime.second
            text += " since \(q.since!)"
        }
        if rng.chance(0.3) {
            q.until = (ArchiveFixture.firstDay + Int64(1 + rng.below(4)) * 86_400) * UTCTime.second
            text += " until \(q.until!)"
        }
        if rng.chance(0.25) {
            q.text = rng.pick(["alice", "EXPORT csv", "Jos", "x", "GET reports", "zzz-nothing", "jos\u{e9}", "403"])
            text += " text \(q.text!)"
        }
        return (q, text)
    }

    /// Every page of `catalog` for `query`, `limit` at a time.
    static func allPages(_ catalog: some EventCatalog, _ query: CatalogQuery, limit: Int) throws -> [CatalogPage] {
        var pages: [CatalogPage] = []
        var cursor: CatalogCursor?
        repeat {
            let page = try catalog.page(query, limit: limit, after: cursor)
            pages.append(page)
            cursor = page.next
        } while cursor != nil && pages.count < 10_000
        return pages
    }

    @Test func randomQueriesGiveTheScansTotalsPagesAndOrder() async throws {
        let root = try await Self.archive()
        #expect(ArchiveIndex.isCurrent(archive: root))
        // Events live in many gzip members (the reads inflate only theirs).
        let db = try SQLiteDatabase(path: ArchiveIndex.path(archive: root), create: false, readOnly: true)
        #expect(try db.integer("SELECT count(DISTINCT day || ':' || member_offset) FROM events") > 20)
        let index = try IndexedCatalog(archive: root)
        let scan = ScanCatalog(root: root)
        let values = try Self.values(root)
        var rng = SplitMix64(seed: 2026)
        var nonEmpty = 0
        var translated = 0
        for n in 0..<40 {
            let (query, text) = try Self.randomQuery(&rng, values: values)
            if let f = query.filter, FilterSQL.translate(f).exact { translated += 1 }
            // The scan's matches, newest first: what paging must return, once each, in order.
            var expected: [(ScanCatalog.Key, [UInt8])] = []
            let scanCounts = try scan.forEach(query) { expected.append((ScanCatalog.Key($0.value), $0.line)) }
            var forEachLines: [[UInt8]] = []
            let indexCounts = try index.forEach(query) { forEachLines.append($0.line) }
            #expect(forEachLines == expected.map(\.1), "\(n): \(text): forEach differs")
            #expect(
                (indexCounts.days, indexCounts.events, indexCounts.matched)
                    == (scanCounts.days, scanCounts.events, scanCounts.matched), "\(n): \(text)")
            expected.sort { $1.0 < $0.0 }
            // At most ~8 pages (every page of a query the index cannot count in SQL re-checks its candidates).
            let limit = max(1 + rng.below(60), expected.count / 8 + 1)
            let pages = try Self.allPages(index, query, limit: limit)
            let paged = pages.flatMap { $0.events.map(\.line) }
            #expect(
                paged == expected.map(\.1), "\(n): \(text): paging gives \(paged.count), the scan \(expected.count)")
            #expect(pages.allSatisfy { $0.total == expected.count }, "\(n): \(text): totals")
            #expect(pages.dropLast().allSatisfy { $0.events.count == limit && $0.next != nil })
            #expect(pages.last?.next == nil)
            if !expected.isEmpty { nonEmpty += 1 }
            // The scan's own first and second pages, cursors included (every other query: each scans it all).
            guard n % 2 == 0 else { continue }
            let first = try scan.page(query, limit: limit, after: nil)
            #expect(first.events.map(\.line) == pages[0].events.map(\.line) && first.next == pages[0].next, "\(n)")
            #expect(first.total == pages[0].total)
            if let next = first.next {
                let second = try scan.page(query, limit: limit, after: next)
                #expect(second.events.map(\.line) == pages[1].events.map(\.line) && second.next == pages[1].next)
            }
        }
        // The draw covers both kinds of query and finds matches (else the comparison proves little).
        #expect(nonEmpty > 20)
        #expect(translated > 8)
    }

    @Test func eventsAndRequestsAreFoundAsTheScanFindsThem() async throws {
        let root = try await Self.archive()
        let index = try IndexedCatalog(archive: root)
        let scan = ScanCatalog(root: root)
        var ids: [(String, String)] = []
        var k = 0
        _ = try scan.forEach(CatalogQuery()) { e in
            k += 1
            if k % 271 == 0 || e.value["request_id"]?.scalarText?.hasPrefix("irregular") == true {
                ids.append((e.value["event_id"]?.scalarText ?? "", e.value["request_id"]?.scalarText ?? ""))
            }
        }
        #expect(ids.count > 10)
        for (event, request) in ids + [("no-such-id", "no-such-request")] {
            #expect(try index.event(id: event)?.line == scan.event(id: event)?.line)
            #expect(try index.request(id: request).map(\.line) == scan.request(id: request).map(\.line))
        }
    }

    @Test func aTranslatedFilterIsCountedInSQLAndStillChecked() async throws {
        let index = try IndexedCatalog(archive: (try await Self.archive()))
        let f = try FilterParser.parse(#"user == "alice" and status == 4xx and not (action == "view")"#)
        #expect(FilterSQL.translate(f).exact)
        let r = try FilterParser.parse(#"user =~ "^al" and status == 4xx"#)
        let sql = FilterSQL.translate(r)
        #expect(!sql.exact && sql.condition != nil)
        #expect(FilterSQL.translate(try FilterParser.parse(#"not (user =~ "^al")"#)) == .none)
        let page = try index.page(CatalogQuery(filter: f), limit: 5, after: nil)
        let scan = try ScanCatalog(root: (try await Self.archive())).page(CatalogQuery(filter: f), limit: 5, after: nil)
        #expect(page.total == scan.total && page.total > 0)
        #expect(page.events.allSatisfy { f.matches(EventObjectSubject(object: $0.value)) })
    }

    @Test func freeTextIsNarrowedByTrigramsAndCheckedExactly() async throws {
        #expect(IndexedCatalog.trigramQuery("ab") == nil)
        #expect(IndexedCatalog.trigramQuery("Alice") == #""Ali" AND "lic" AND "ice""#)
        let index = try IndexedCatalog(archive: (try await Self.archive()))
        let scan = ScanCatalog(root: (try await Self.archive()))
        for text in ["ALICE export", "Jos\u{e9}", "f0000000000000000000000000000002", "no-such-text-anywhere"] {
            let q = CatalogQuery(text: text)
            #expect(try index.page(q, limit: 20, after: nil).total == scan.page(q, limit: 20, after: nil).total)
        }
    }
}
