import Foundation
import Testing

/// What a run tells about the user's text patterns: which pattern made how many records, and records whose
/// `time` group held text that is no time (counted, warned about once with the first example).
struct PatternDiagnosticsTests {
    @Test func theSummaryCountsRecordsPerPatternAndWarnsOnceOfUnreadableTimes() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = ""
        for i in 0..<1_200 { text += "2024-05-14T09:00:\(String(format: "%02d", i % 60))Z INFO req-\(i) ok\n" }
        text += "05/14/2024 09:00:00 WARN req-x odd clock\n"
        text += "05/14/2024 09:00:01 WARN req-y odd clock\n"
        text += "a line no pattern reads\n"
        try text.write(to: dir.appendingPathComponent("app.log"), atomically: true, encoding: .utf8)
        let r = try AuditPipeBinary.run(
            [
                "correlate", "app.log", "-o", "events.jsonl", "--stats", "stats.json",
                "--text-pattern",
                #"^%{TIMESTAMP_ISO8601:time} %{LOGLEVEL:level} %{NOTSPACE:request_id} %{GREEDYDATA:message}"#,
                "--text-pattern", #"^(?<time>\S+ \S+) %{LOGLEVEL:level} %{NOTSPACE:request_id} %{GREEDYDATA:message}"#,
                "--text-pattern", #"^never (?<request_id>\w+)"#,
            ], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("; patterns: #1 1,200 records, #2 2, #3 0, no match 1"), "\(r.stderr)")
        let warnings = r.stderr.split(separator: "\n").filter { $0.contains("warning:") }
        #expect(warnings.count == 1, "\(r.stderr)")
        #expect(warnings.first?.contains("2 records matched a text pattern whose time group is no time") == true)
        #expect(warnings.first?.contains("app.log:1201: 05/14/2024 09:00:00 WARN req-x odd clock") == true)
        let stats = try AuditPipeBinary.stats(at: dir.appendingPathComponent("stats.json"))
        #expect(stats["unreadable_times"] == 2)
        #expect(stats["pattern_misses"] == 1)
        let json = try String(contentsOf: dir.appendingPathComponent("stats.json"), encoding: .utf8)
        #expect(json.contains(#""pattern_records":[1200,2,0]"#))
    }

    /// From a new-user trial (issue 14): a record with continuation lines was counted as one "line".
    @Test func aRecordWithContinuationLinesCountsOnceAsARecord() throws {
        let text = "2026-11-21T10:00:00Z INFO start\n  at frame 1\n  at frame 2\n2026-11-21T10:00:01Z INFO ok\n"
        let r = try AuditPipeBinary.run(
            ["correlate", "-", "--text-pattern", "%{TIMESTAMP_ISO8601:time} %{LOGLEVEL:level} %{GREEDYDATA:message}"],
            stdin: Data(text.utf8))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("4 lines read = 4 in 2 records"), "\(r.stderr)")
        #expect(r.stderr.contains("; patterns: #1 2 records, no match 0"), "\(r.stderr)")
    }

    @Test func aRunWithoutPatternsSaysNothingOfThem() throws {
        let r = try AuditPipeBinary.run(["correlate", "-"], stdin: Data("2024-05-14T09:00:00Z INFO x\n".utf8))
        #expect(r.status == 0)
        #expect(!r.stderr.contains("patterns:"))
    }
}
