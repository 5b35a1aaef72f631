import Foundation
import Testing

/// A CSV row whose cells do not line up with the header is a dead letter, not a record with shifted or missing
/// fields (issue 14, from a new-user trial: ragged rows were accepted silently, and a quote left open mid-file
/// swallowed the next row with no dead letter).
struct CSVRaggedRowTests {
    /// Runs `correlate --format csv` on `text`; returns the stats and the dead letters.
    static func run(_ text: String) throws -> (stats: [String: Int], deadLetters: [[String: Any]]) {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try text.write(to: dir.appendingPathComponent("export.csv"), atomically: true, encoding: .utf8)
        let r = try AuditPipeBinary.run(
            [
                "correlate", "export.csv", "--format", "csv", "-q", "-o", "events.jsonl", "--stats", "stats.json",
                "--dead-letter", "dead.jsonl",
            ], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let dead = (try? String(contentsOf: dir.appendingPathComponent("dead.jsonl"), encoding: .utf8)) ?? ""
        let letters = dead.split(separator: "\n").map {
            try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        return (try AuditPipeBinary.stats(at: dir.appendingPathComponent("stats.json")), letters)
    }

    @Test func aRowWithTooFewOrTooManyColumnsIsDeadLetteredWithBothCounts() throws {
        let text =
            "User,Timestamp,Note\nalice,2026-11-21T10:00:00Z,ok\nbob,2026-11-21T10:00:01Z\n"
            + "carol,2026-11-21T10:00:02Z,one,two\ndave,2026-11-21T10:00:03Z,ok\n"
        let (stats, dead) = try Self.run(text)
        #expect(dead.map { $0["line"] as? Int } == [3, 4])
        #expect(dead.map { $0["reason"] as? String } == ["invalid_csv", "invalid_csv"])
        #expect(
            dead.map { $0["detail"] as? String } == [
                "CSV row with 2 columns, the header has 3", "CSV row with 4 columns, the header has 3",
            ])
        #expect(
            dead.map { $0["raw"] as? String } == ["bob,2026-11-21T10:00:01Z", "carol,2026-11-21T10:00:02Z,one,two"])
        #expect(dead.allSatisfy { $0["source"] as? String == "export.csv" && $0["offset"] is Int })
        #expect(stats["records"] == 2)
        #expect(stats["dead_lettered"] == 2)
    }

    @Test func aQuoteLeftOpenMidFileDeadLettersTheRowsItSwallows() throws {
        // Alice's note opens a quote that only the quote starting carol's note closes: bob's row is inside it.
        let text =
            "User,Timestamp,Note\nalice,2026-11-21T10:00:00Z,\"open\nbob,2026-11-21T10:00:01Z,plain\n"
            + "carol,2026-11-21T10:00:02Z,\"quoted\"\ndave,2026-11-21T10:00:03Z,ok\n"
        let (stats, dead) = try Self.run(text)
        #expect(dead.map { $0["line"] as? Int } == [2])
        #expect(dead.first?["reason"] as? String == "invalid_csv")
        #expect((dead.first?["raw"] as? String)?.contains("bob,") == true)
        #expect(stats["records"] == 1)
        #expect(stats["dead_lettered"] == 3)
        #expect(stats["lines_read"] == 4)
    }
}
