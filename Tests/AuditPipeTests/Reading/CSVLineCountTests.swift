import Foundation
import Testing

/// A CSV input's lines are the file's physical lines (issue 14, from a new-user trial: a quoted field over
/// two lines made the accounting count rows as lines, and dead letters name rows).
struct CSVLineCountTests {
    /// Runs `correlate --format csv` on `text`; returns the stats and the dead letters' line numbers.
    static func run(_ text: String) throws -> (stats: [String: Int], deadLetterLines: [Int]) {
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
        let lines = dead.split(separator: "\n").map {
            (try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["line"] as! Int
        }
        return (try AuditPipeBinary.stats(at: dir.appendingPathComponent("stats.json")), lines)
    }

    @Test func aQuotedFieldOverTwoLinesCountsBothLinesWithItsRow() throws {
        let text = "User,Timestamp,Note\nalice,2026-11-21T10:00:00Z,\"two\nlines\"\n\nbob,2026-11-21T10:00:01Z,one\n"
        let (stats, dead) = try Self.run(text)
        // Four lines after the header: alice's two, a blank one, bob's.
        #expect(stats["lines_read"] == 4)
        #expect(stats["record_lines"] == 3)
        #expect(stats["records"] == 2)
        #expect(stats["blank"] == 1)
        #expect(dead.isEmpty)
    }

    @Test func aTruncatedRowIsDeadLetteredAtTheLineItStartsOn() throws {
        let text =
            "User,Timestamp,Note\nalice,2026-11-21T10:00:00Z,\"two\nlines\"\nbob,2026-11-21T10:00:01Z,one\n"
            + "carol,2026-11-21T10:00:02Z,\"open\nand on\n"
        let (stats, dead) = try Self.run(text)
        #expect(dead == [5])
        #expect(stats["lines_read"] == 5)
        #expect(stats["record_lines"] == 3)
        #expect(stats["dead_lettered"] == 2)
    }
}
