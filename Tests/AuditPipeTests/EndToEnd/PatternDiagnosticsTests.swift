import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

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

    /// From a new-user trial (helper-33): a checkpointed follower restarted with its text patterns said
    /// `no match` for every record an earlier life had read (the commit kept the records, not which pattern
    /// made them). The counts of two lives now equal those of one batch run over the same lines.
    @Test func aRestartedFollowerKeepsThePatternCountsOfEarlierLives() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("logs"), withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("logs/app.log").path
        func text(_ range: Range<Int>) -> String {
            var t = ""
            for i in range {
                let second = String(format: "%02d", i % 60)
                switch i % 7 {
                case 3: t += "05/14/2024 09:00:\(second) WARN req-\(i) odd clock\n"
                case 5: t += #"{"request_id":"json-\#(i)","msg":"no pattern made this record"}"# + "\n"
                default: t += "2024-05-14T09:\(String(format: "%02d", i / 60)):\(second)Z INFO req-\(i) ok\n"
                }
            }
            return t
        }
        let patterns = [
            "--text-pattern",
            #"^%{TIMESTAMP_ISO8601:time} %{LOGLEVEL:level} %{NOTSPACE:request_id} %{GREEDYDATA:message}"#,
            "--text-pattern", #"^(?<time>\S+ \S+) %{LOGLEVEL:level} %{NOTSPACE:request_id} %{GREEDYDATA:message}"#,
        ]
        func life(until lines: Int) throws {
            let p = try AuditPipeBinary.start(
                [
                    "correlate", "--follow", "logs/app.log", "--checkpoint", "state", "-o", "events.jsonl",
                    "--dead-letter", "dead.jsonl", "--stats", "stats.json", "--idle", "1s", "-q",
                ] + patterns, in: dir)
            for _ in 0..<400 where FollowStopTests.committedLines(dir) < lines { usleep(50_000) }
            kill(p.processIdentifier, SIGTERM)
            p.waitUntilExit()
        }
        AuditPipeBinary.append(text(0..<700), to: path)
        try life(until: 700)
        AuditPipeBinary.append(text(700..<1_000), to: path)
        try life(until: 1_000)
        let followed = try String(contentsOf: dir.appendingPathComponent("stats.json"), encoding: .utf8)

        let batch = try AuditPipeBinary.run(
            ["correlate", "logs/app.log", "-o", "batch.jsonl", "--stats", "batch-stats.json", "-q"] + patterns,
            in: dir)
        #expect(batch.status == 0, "\(batch.stderr)")
        let expected = try AuditPipeBinary.stats(at: dir.appendingPathComponent("batch-stats.json"))
        let got = try AuditPipeBinary.stats(at: dir.appendingPathComponent("stats.json"))
        #expect(expected["pattern_misses"] == 143 && expected["unreadable_times"] == 143)
        for key in ["lines_read", "records", "pattern_misses", "unreadable_times"] {
            #expect(got[key] == expected[key], "\(key): \(followed)")
        }
        #expect(followed.contains(#""pattern_records":[714,143]"#), "\(followed)")
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
