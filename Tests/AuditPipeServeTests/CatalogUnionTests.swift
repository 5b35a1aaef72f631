import AuditPipe
import AuditPipeServe
import Foundation
import Testing

/// `serve DIR DIR`: two archives answered as one catalog.
@Suite(.serialized)
struct CatalogUnionTests {
    @Test func twoArchivesPageAsOneAndExportInTheOrderGiven() throws {
        let f = try ScreenFixture.get()
        let dir = try ServeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try ScreenFixture.buildArchive(in: dir, requests: 150, seed: 90)
        let second = dir.appendingPathComponent("archive").path
        let union = ScreenCatalogs.open([f.archive, second])
        let query = CatalogQuery(filter: try FilterParser.parse("outcome.status >= 300"))

        var inOrder: [String] = []
        let counts = try union.forEach(query) { e throws(OutputError) in
            inOrder.append(e.value["event_id"]!.scalarText!)
        }
        var expected: [String] = []
        for root in [f.archive, second] {
            _ = try ScanCatalog(root: root).forEach(query) { e throws(OutputError) in
                expected.append(e.value["event_id"]!.scalarText!)
            }
        }
        #expect(inOrder == expected, "archive by archive, in the order given")
        #expect(counts.matched == expected.count)

        var paged: [(String, String)] = []
        var cursor: CatalogCursor?
        repeat {
            let page = try union.page(query, limit: 29, after: cursor)
            #expect(page.total == expected.count)
            paged += page.events.map { ($0.value["start"]!.scalarText!, $0.value["event_id"]!.scalarText!) }
            cursor = page.next
        } while cursor != nil && paged.count <= expected.count
        #expect(paged.count == expected.count)
        #expect(Set(paged.map(\.1)) == Set(expected))
        #expect(paged.map(\.0) == paged.map(\.0).sorted(by: >), "newest first across both archives")

        let one = try #require(expected.last)
        #expect(try union.event(id: one)?.value["event_id"]?.scalarText == one)
    }
}
