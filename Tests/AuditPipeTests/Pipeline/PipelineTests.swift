import Foundation
import Testing

@testable import AuditPipe

/// The one pipeline: its stage cuts agree with a whole run, its outputs come from specs, and its progress adds
/// up.
struct PipelineTests {
    /// A sink that keeps nothing.
    final class NullSink: EventSink, @unchecked Sendable {
        func write(_ events: [AuditEvent]) throws(OutputError) {}
        func write(records: [JSONValue]) throws(OutputError) {}
        func flush() throws(OutputError) {}
        func close() throws(OutputError) {}
    }

    static func dump(requests: Int, seed: UInt64, gzip: Bool = false) throws -> (URL, URL) {
        let dir = try AuditPipeBinary.temporaryDirectory()
        let url = dir.appendingPathComponent("demo.log")
        try DemoDumpTests.writeDemo(requests: requests, seed: seed, to: url)
        guard gzip else { return (dir, url) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-6", url.path]
        try p.run()
        p.waitUntilExit()
        return (dir, URL(fileURLWithPath: url.path + ".gz"))
    }

    /// Each cut runs the same reading and parsing as a whole run: the bytes after `read`, the line accounting
    /// after `parse` and `correlate`, and the events of a whole run are those of the uncut pipeline.
    @Test(arguments: [false, true]) func stageCutsAgreeWithAWholeRun(gzip: Bool) async throws {
        let (dir, url) = try Self.dump(requests: 3_000, seed: 11, gzip: gzip)
        defer { try? FileManager.default.removeItem(at: dir) }
        func run(_ cut: PipelineStage?) async throws -> RunStats {
            var p = Pipeline(inputs: [url.path], options: PipelineOptions())
            p.stopAfter = cut
            return try await p.run(sink: NullSink()) { _ in }
        }
        let whole = try await run(nil)
        #expect(whole.events > 3_000)
        #expect(whole.balances)
        let read = try await run(.read)
        #expect(read.lines.bytes == whole.lines.bytes)
        #expect(read.lines.records == 0 && read.events == 0)
        let parsed = try await run(.parse)
        #expect(parsed.lines == whole.lines)
        #expect(parsed.events == 0)
        let correlated = try await run(.correlate)
        #expect(correlated.lines == whole.lines)
        #expect(correlated.events == 0)
        let enriched = try await run(.enrich)
        #expect(enriched.events == whole.events && enriched.late == whole.late)
    }

    /// Outputs are built from specs in one place: a CSV and a JSONL output with a `where:`, the dead letters
    /// and the stats, all from one run.
    @Test func outputsFromSpecs() async throws {
        let (dir, url) = try Self.dump(requests: 500, seed: 3)
        defer { try? FileManager.default.removeItem(at: dir) }
        var csv = PipelineSpec.Output(kind: .csv, path: dir.appendingPathComponent("out/all.csv").path)
        csv.columns = ["event_id", "action"]
        var exports = PipelineSpec.Output(kind: .jsonl, path: dir.appendingPathComponent("out/exports.jsonl").path)
        exports.whereFilter = try FilterParser.parse(#"action == "export""#, for: .events)
        let outputs = [
            csv, exports, PipelineSpec.Output(kind: .deadLetter, path: dir.appendingPathComponent("dead.jsonl").path),
            PipelineSpec.Output(kind: .stats, path: dir.appendingPathComponent("stats.json").path),
        ]
        let stats = try await Pipeline(inputs: [url.path], options: PipelineOptions(), outputs: outputs).run()
        let rows = try String(contentsOf: URL(fileURLWithPath: csv.path), encoding: .utf8)
            .components(separatedBy: "\r\n").dropLast()
        #expect(rows.first == "event_id,action")
        #expect(Int64(rows.count - 1) == stats.events)
        let exported = try String(contentsOf: URL(fileURLWithPath: exports.path), encoding: .utf8)
            .split(separator: "\n")
        #expect(!exported.isEmpty && exported.allSatisfy { $0.contains(#""action":"export""#) })
        #expect(exported.count == rows.filter { $0.hasSuffix(",export") }.count)
        let dead = try String(contentsOf: dir.appendingPathComponent("dead.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        #expect(Int64(dead.count) == stats.lines.deadLettered && stats.lines.deadLettered > 0)
        let saved = try AuditPipeBinary.stats(at: dir.appendingPathComponent("stats.json"))
        #expect(saved["events"] == Int(stats.events))
    }

    /// A checkpoint cuts its events file back on resume, so it needs exactly one plain JSONL file.
    @Test func aCheckpointWithoutOneJSONLFileIsRefused() async throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outputs = [PipelineSpec.Output(kind: .csv, path: dir.appendingPathComponent("e.csv").path)]
        let p = Pipeline(
            inputs: [dir.path + "/*.log"], options: PipelineOptions(), outputs: outputs,
            follow: FollowSettings(checkpointDirectory: dir.appendingPathComponent("state").path))
        await #expect(throws: PipelineError.self) { try await p.run() }
    }

    /// The progress of a run ends where its stats do; the share done is exact for plain files and estimated
    /// from the finished inputs for gzip.
    @Test(arguments: [false, true]) func progressEndsWithTheStats(gzip: Bool) async throws {
        let (dir, url) = try Self.dump(requests: 2_000, seed: 5, gzip: gzip)
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = Pipeline(inputs: [url.path], options: PipelineOptions())
        let stats = try await p.run(sink: NullSink()) { _ in }
        let s = p.progress.snapshot()
        #expect(s.bytesRead == stats.lines.bytes)
        #expect(s.records == stats.lines.records)
        #expect(s.events == stats.events)
        #expect(s.inputs == 1 && s.inputsDone == 1)
        #expect(s.fraction == 1)
        #expect(s.line(seconds: 2).contains("100% of"))
    }

    @Test func progressShareAndETA() {
        var s = PipelineProgress.Snapshot()
        s.totalBytes = 1_000_000
        s.bytesRead = 250_000
        #expect(s.fraction == 0.25)
        #expect(s.line(seconds: 10).contains("ETA 0:30"))
        // gzip: nothing finished yet, so no share; then one input of 100 kB inflated to 500 kB.
        s.compressed = true
        #expect(s.fraction == nil)
        s.doneOnDisk = 100_000
        s.doneRead = 500_000
        s.bytesRead = 1_000_000
        #expect(s.fraction == 0.2)
        // A stream has no size.
        s.totalBytes = -1
        #expect(s.fraction == nil)
        #expect(!s.line(seconds: 1).contains("ETA"))
    }
}
