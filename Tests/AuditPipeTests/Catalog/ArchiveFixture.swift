import Foundation

@testable import AuditPipe

/// A multi-day archive of `auditpipe demo` events, built in-process: demo logs per day, correlated into
/// live day files by the one pipeline, a few hand-made irregular events added (a non-ASCII user, a status
/// written as a string, a number among the services), then archived.
enum ArchiveFixture {
    /// 2026-11-01T00:00:00Z in seconds.
    static let firstDay: Int64 = 1_793_491_200

    /// Demo requests per day, from `firstDay` on, each day's requests starting at 08:00 UTC.
    static func logs(perDay: [Int], seed: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        for (d, requests) in perDay.enumerated() {
            let start = (firstDay + Int64(d) * 86_400 + 8 * 3_600) * UTCTime.second
            var g = DemoGenerator(requests: requests, seed: seed &+ UInt64(d), start: start)
            g.run { out += $0 }
        }
        return out
    }

    /// Events that do not fit the index's columns (so they are candidates of every query): a non-ASCII user,
    /// a status written as a string, services holding a number.
    static func irregularLines(day: Int) -> [String] {
        let date = String(format: "2026-11-%02d", day + 1)
        return [
            #"{"event_id":"f0000000000000000000000000000001","request_id":"irregular-1","start":"\#(date)T09:00:00.001Z","end":"\#(date)T09:00:00.002Z","duration_ms":1,"actor":{"user":"Jos\#u{e9}","user_id":null,"ip":null,"user_agent":null,"origin":"ui"},"action":"export","entity":{"type":"report","id":"sales","name":null},"access":null,"outcome":{"status":200,"result":"success","error":null},"api":null,"services":["api-gateway"],"records":1,"levels":{"info":1},"links":{},"flags":[]}"#,
            #"{"event_id":"f0000000000000000000000000000002","request_id":"irregular-2","start":"\#(date)T09:00:00.003Z","end":"\#(date)T09:00:00.004Z","duration_ms":1,"actor":{"user":"alice","user_id":null,"ip":null,"user_agent":null,"origin":"api"},"action":"view","entity":{"type":"report","id":"sales","name":null},"access":null,"outcome":{"status":"403","result":"failure","error":null},"api":null,"services":["api-gateway",7],"records":1,"levels":{"info":1},"links":{},"flags":[]}"#,
        ]
    }

    /// Builds `dir/archive` (index included unless `index` is false); returns its path.
    static func build(in dir: URL, perDay: [Int], seed: UInt64, irregular: Bool = true, index: Bool = true)
        async throws -> String
    {
        smallMembers()
        let log = dir.appendingPathComponent("demo-\(seed).log")
        try Data(logs(perDay: perDay, seed: seed)).write(to: log)
        let live = dir.appendingPathComponent("live").path
        let pipeline = Pipeline(
            inputs: [log.path], options: PipelineOptions(), outputs: [PipelineSpec.Output(kind: .archive, path: live)])
        _ = try await pipeline.run()
        if irregular {
            for d in perDay.indices where d % 2 == 1 {
                let file = URL(fileURLWithPath: live).appendingPathComponent(
                    String(format: "events-2026-11-%02d.jsonl", d + 1))
                let handle = try FileHandle(forWritingTo: file)
                handle.seekToEndOfFile()
                handle.write(Data((irregularLines(day: d).joined(separator: "\n") + "\n").utf8))
                try handle.close()
            }
        }
        let archive = dir.appendingPathComponent("archive").path
        try archiveRun(live: live, archive: archive, index: index)
        return archive
    }

    /// Cuts archive day files into 64 KiB members (instead of 4 MiB), so a small day has many of them.
    static func smallMembers() {
        ParallelGzip.chunkBytes = 64 << 10
    }

    /// Runs `archive` over `live` as of long after the fixture's days.
    @discardableResult
    static func archiveRun(live: String, archive: String, index: Bool = true) throws -> ArchiveRun.Report {
        var options = ArchiveRun.Options(
            liveDirectory: live, archiveDirectory: archive, now: (firstDay + 400 * 86_400) * UTCTime.second)
        options.updateIndex = index
        let report = try ArchiveRun(options: options).run()
        if let failure = report.indexFailure { throw failure }
        return report
    }

    /// Appends demo events of day `day` (0-based from 2026-11-01) to the live directory and archives them.
    static func addDay(_ day: Int, requests: Int, seed: UInt64, dir: URL, index: Bool) async throws {
        let log = dir.appendingPathComponent("more-\(day)-\(seed).log")
        let start = (firstDay + Int64(day) * 86_400 + 8 * 3_600) * UTCTime.second
        var g = DemoGenerator(requests: requests, seed: seed, start: start)
        var out: [UInt8] = []
        g.run { out += $0 }
        try Data(out).write(to: log)
        let live = dir.appendingPathComponent("live").path
        let pipeline = Pipeline(
            inputs: [log.path], options: PipelineOptions(), outputs: [PipelineSpec.Output(kind: .archive, path: live)])
        _ = try await pipeline.run()
        try archiveRun(live: live, archive: dir.appendingPathComponent("archive").path, index: index)
    }
}

/// An archive built once and shared by the tests of a suite.
actor SharedArchive {
    static let shared = SharedArchive()
    private var built: String?

    /// The archive, built by `make` (in a new temporary directory) the first time.
    func path(_ make: @Sendable (URL) async throws -> String) async throws -> String {
        if let built { return built }
        let dir = try AuditPipeBinary.temporaryDirectory()
        let path = try await make(dir)
        built = path
        return path
    }
}
