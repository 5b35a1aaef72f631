import AuditPipe
import Crypto
import Foundation
import Testing

/// Accounting and determinism on a large demo dump with malformed lines.
struct DemoDumpTests {
    static func writeDemo(requests: Int, seed: UInt64, to url: URL) throws {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        var generator = DemoGenerator(requests: requests, seed: seed)
        try generator.run { try handle.write(contentsOf: Data($0)) }
        try handle.close()
    }

    @Test func accountingHoldsOnAHundredThousandRequestDump() throws {
        let tmp = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let dump = tmp.appendingPathComponent("demo.log")
        try Self.writeDemo(requests: 100_000, seed: 42, to: dump)
        let lines = try Data(contentsOf: dump).reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
        let statsURL = tmp.appendingPathComponent("stats.json")
        let r = try AuditPipeBinary.run(
            [
                "correlate", dump.path, "--output", tmp.appendingPathComponent("events.jsonl").path, "--dead-letter",
                tmp.appendingPathComponent("dl.jsonl").path,
                "--stats", statsURL.path,
            ])
        #expect(r.status == 0, "\(r.stderr)")
        let s = try AuditPipeBinary.stats(at: statsURL)
        #expect(s["lines_read"] == lines)
        #expect(s["lines_read"] == s["record_lines"]! + s["dead_lettered"]! + s["blank"]!)
        // ~0.5% of lines are malformed; every one is dead-lettered with its reason.
        let dead = s["dead_lettered"]!
        #expect(dead > lines / 400 && dead < lines / 100)
        let deadLines = try String(contentsOf: tmp.appendingPathComponent("dl.jsonl"), encoding: .utf8).split(
            separator: "\n")
        #expect(deadLines.count == dead)
        // Each request is one event: 100,000 correlated events, plus one per id-less line.
        #expect(s["events"]! - s["uncorrelated"]! >= 100_000 - dead)
        #expect(s["events"]! - s["uncorrelated"]! <= 100_000 + dead)
        #expect(r.stderr.contains("lines read = "))

        // Output unchanged by any optimization: the JSONL and CSV of this dump against committed digests.
        let csv = try AuditPipeBinary.run(
            [
                "correlate", dump.path, "--output", tmp.appendingPathComponent("events.csv").path,
                "--output-format", "csv", "-q",
            ])
        #expect(csv.status == 0, "\(csv.stderr)")
        var digests = ""
        for name in ["events.jsonl", "events.csv"] {
            let data = try Data(contentsOf: tmp.appendingPathComponent(name))
            let hex = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
            digests += "\(hex)  \(name)\n"
        }
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
                "Fixtures/demo-100k-seed42.sha256")
        if ProcessInfo.processInfo.environment["AUDITPIPE_UPDATE_GOLDEN"] == "1" {
            try Data(digests.utf8).write(to: golden)
            Issue.record("recorded \(golden.path): review, then run again without AUDITPIPE_UPDATE_GOLDEN")
        }
        let expected = (try? String(contentsOf: golden, encoding: .utf8)) ?? "(missing)"
        #expect(digests == expected, "the 100k-request demo's output changed (sha256sum of events.jsonl, events.csv)")
    }

    @Test func twoRunsGiveByteIdenticalOutputWithOneOrTwoParsers() throws {
        let tmp = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let dump = tmp.appendingPathComponent("demo.log")
        try Self.writeDemo(requests: 20_000, seed: 7, to: dump)
        var outputs: [Data] = []
        var deadLetters: [Data] = []
        for workers in ["2", "2", "1"] {
            let dl = tmp.appendingPathComponent("dl-\(outputs.count).jsonl")
            let r = try AuditPipeBinary.run(
                [
                    "correlate", dump.path, "--parse-workers", workers, "--include-records", "--dead-letter", dl.path,
                    "-q",
                ])
            #expect(r.status == 0)
            outputs.append(r.stdout)
            deadLetters.append(try Data(contentsOf: dl))
        }
        #expect(outputs[0].count > 1_000_000)
        #expect(outputs[0] == outputs[1])
        #expect(outputs[0] == outputs[2])
        #expect(deadLetters[0] == deadLetters[1] && deadLetters[0] == deadLetters[2])
    }

    @Test func splittingADumpIntoShuffledFilesGivesTheSameEvents() throws {
        let tmp = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let dump = tmp.appendingPathComponent("demo.log")
        try Self.writeDemo(requests: 3_000, seed: 11, to: dump)
        // One file per service, as a real dump would have it; passed in reverse order.
        let bytes = try Data(contentsOf: dump)
        var perService: [String: Data] = [:]
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            let text = String(decoding: line, as: UTF8.self)
            let key = text.contains("api-gateway") ? "gateway" : text.hasPrefix("time=") ? "storage" : "services"
            perService[key, default: Data()].append(line + [UInt8(ascii: "\n")])
        }
        var files: [String] = []
        for (name, data) in perService.sorted(by: { $0.key > $1.key }) {
            let url = tmp.appendingPathComponent("\(name).log")
            try data.write(to: url)
            files.append(url.path)
        }
        let whole = try AuditPipeBinary.run([
            "correlate", dump.path, "--output-format", "csv", "--columns", "request_id,records,action,outcome.status",
            "-q",
        ])
        let split = try AuditPipeBinary.run(
            ["correlate"] + files + [
                "--output-format", "csv", "--columns", "request_id,records,action,outcome.status", "-q",
            ])
        let rows = { (d: Data) in
            Set(String(decoding: d, as: UTF8.self).split(separator: "\r\n").filter { !$0.hasPrefix(",") })
        }
        #expect(rows(whole.stdout).count > 3_000)
        #expect(rows(whole.stdout) == rows(split.stdout))
    }
}
