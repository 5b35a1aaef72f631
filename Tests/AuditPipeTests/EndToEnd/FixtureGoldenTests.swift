import Foundation
import Testing

/// Runs every `Fixtures/<case>` (its `args` file holds the arguments, one per line) and compares the whole
/// outputs — events as JSONL and CSV, dead letters, stats — with the golden files beside the inputs.
/// Set `AUDITPIPE_UPDATE_GOLDEN=1` to rewrite the golden files after a deliberate change (each golden it changes
/// fails the run, so a recording run never passes), review the diff and run again.
struct FixtureGoldenTests {
    static let cases: [String] = {
        let dir = AuditPipeBinary.packageRoot.appendingPathComponent("Fixtures")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: dir.appendingPathComponent("\($0)/args").path) }
            .sorted()
    }()

    @Test func thereAreAtLeastEightFixtureCases() {
        #expect(Self.cases.count >= 8)
    }

    @Test(arguments: cases)
    func fixtureMatchesGoldenOutputs(_ name: String) throws {
        let caseDir = AuditPipeBinary.packageRoot.appendingPathComponent("Fixtures/\(name)")
        let args = try String(contentsOf: caseDir.appendingPathComponent("args"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let tmp = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let common = ["--assume-year", "2026", "-q"]
        // `--columns` in a case's args shapes its CSV run (with JSONL it is a usage error).
        var jsonlArgs = args
        if let i = jsonlArgs.firstIndex(of: "--columns") {
            jsonlArgs.removeSubrange(i...min(i + 1, jsonlArgs.count - 1))
        }
        let jsonl = try AuditPipeBinary.run(
            ["correlate"] + jsonlArgs + common + [
                "--output", tmp.appendingPathComponent("events.jsonl").path,
                "--dead-letter", tmp.appendingPathComponent("dead-letter.jsonl").path,
                "--stats", tmp.appendingPathComponent("stats.json").path,
            ], in: caseDir)
        #expect(jsonl.status == 0, "\(jsonl.stderr)")
        let csv = try AuditPipeBinary.run(
            ["correlate"] + args + common + [
                "--output-format", "csv", "--output", tmp.appendingPathComponent("events.csv").path,
            ],
            in: caseDir)
        #expect(csv.status == 0, "\(csv.stderr)")

        let stats = try AuditPipeBinary.stats(at: tmp.appendingPathComponent("stats.json"))
        #expect(stats["lines_read"] == stats["record_lines"]! + stats["dead_lettered"]! + stats["blank"]!)

        let update = ProcessInfo.processInfo.environment["AUDITPIPE_UPDATE_GOLDEN"] == "1"
        for (produced, golden) in [
            ("events.jsonl", "expected.jsonl"), ("events.csv", "expected.csv"),
            ("dead-letter.jsonl", "expected-dead-letter.jsonl"), ("stats.json", "expected-stats.json"),
        ] {
            let actual = try Data(contentsOf: tmp.appendingPathComponent(produced))
            let goldenURL = caseDir.appendingPathComponent(golden)
            if update {
                if (try? Data(contentsOf: goldenURL)) != actual {
                    try actual.write(to: goldenURL)
                    Issue.record(
                        "recorded \(name)/\(golden): review the diff, then run again without AUDITPIPE_UPDATE_GOLDEN")
                }
                continue
            }
            let expected = try Data(contentsOf: goldenURL)
            #expect(
                actual == expected,
                "\(name)/\(golden) differs:\n--- expected\n\(String(decoding: expected, as: UTF8.self))\n--- actual\n\(String(decoding: actual, as: UTF8.self))"
            )
        }
    }
}
