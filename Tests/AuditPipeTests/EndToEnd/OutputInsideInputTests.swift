import Foundation
import Testing

@testable import AuditPipe

/// From a new-user trial (helper-70, F9): an output written inside a directory the run reads was read back as
/// an input (a second run read the first one's events; a follower of a directory read its own checkpoint and
/// events). A directory or pattern now leaves the run's own files out; a file named both ways is refused.
struct OutputInsideInputTests {
    static func line(_ id: String, _ i: Int) -> String {
        #"{"time":"2026-11-20T10:00:0\#(i).000Z","request_id":"\#(id)","user":"u\#(i)","msg":"m\#(i)"}"# + "\n"
    }

    static let log = (0..<6).map { line("r\($0 % 3)", $0) }.joined()

    /// Differential: outputs inside the input directory (run twice, so the second run finds the first one's
    /// files there) give the events a run with its outputs elsewhere gives.
    @Test(arguments: [["logs"], ["logs/*"], ["logs/", "-q"]])
    func outputsInsideTheReadDirectoryAreNotRead(_ args: [String]) throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let logs = dir.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        try Data(Self.log.utf8).write(to: logs.appendingPathComponent("app.log"))
        let apart = try AuditPipeBinary.run(["correlate", "logs", "-o", "apart.jsonl"], in: dir)
        #expect(apart.status == 0)
        let expected = try Data(contentsOf: dir.appendingPathComponent("apart.jsonl"))
        let outputs = [
            "-o", "logs/events.jsonl", "--dead-letter", "logs/dead.jsonl", "--stats", "logs/stats.json",
        ]
        for round in 1...2 {
            let r = try AuditPipeBinary.run(["correlate"] + args + outputs, in: dir)
            #expect(r.status == 0, "\(args) round \(round): \(r.stderr)")
            #expect(try Data(contentsOf: logs.appendingPathComponent("events.jsonl")) == expected, "\(args) \(round)")
            let stats = try AuditPipeBinary.stats(at: logs.appendingPathComponent("stats.json"))
            #expect(stats["lines_read"] == 6 && stats["inputs"] ?? 1 == 1, "\(args) \(round): \(stats)")
            if round == 2 && !args.contains("-q") {
                #expect(r.stderr.contains("written by this run"), "\(args): \(r.stderr)")
            }
        }
        // A day archive (`--output-dir`) inside the directory read: its day files are left out too (the files
        // above are no outputs of these runs: they would be read).
        for name in ["events.jsonl", "dead.jsonl", "stats.json"] {
            try FileManager.default.removeItem(at: logs.appendingPathComponent(name))
        }
        for round in 1...2 {
            let r = try AuditPipeBinary.run(
                ["correlate"] + args + ["--output-dir", "logs/live", "--stats", "live-stats.json"], in: dir)
            #expect(r.status == 0, "\(r.stderr)")
            let stats = try AuditPipeBinary.stats(at: dir.appendingPathComponent("live-stats.json"))
            #expect(stats["lines_read"] == 6 && stats["events"] == 3, "\(args) live \(round): \(stats)")
        }
    }

    /// A file named as input and as output would be truncated before it is read: the run is refused and the
    /// file is left as it was.
    @Test func aFileNamedAsInputAndOutputIsRefusedAndKept() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(Self.log.utf8).write(to: dir.appendingPathComponent("app.log"))
        for output in ["app.log", "./app.log"] {
            let r = try AuditPipeBinary.run(["correlate", "app.log", "-o", output], in: dir)
            #expect(r.status != 0 && r.stderr.contains("both an input and an output"), "\(output): \(r.stderr)")
            #expect(try String(contentsOf: dir.appendingPathComponent("app.log"), encoding: .utf8) == Self.log)
        }
        // A device is no file a run reads back.
        #expect(try AuditPipeBinary.run(["correlate", "/dev/null", "-o", "/dev/null"], in: dir).status == 0)
    }

    /// A follower of a directory that holds its checkpoint and events file reads only the log, across a
    /// restart: its accounting counts the log's lines once.
    @Test func aFollowerOfItsOwnDirectoryReadsOnlyTheLogs() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let logs = dir.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        try Data(Self.log.utf8).write(to: logs.appendingPathComponent("app.log"))
        let args = [
            "correlate", "--follow", "logs", "--checkpoint", "logs/state", "-o", "logs/events.jsonl",
            "--stats", "logs/stats.json", "--idle", "1s",
        ]
        for round in 1...2 {
            let p = try AuditPipeBinary.start(args, in: dir)
            let deadline = Date().addingTimeInterval(30)
            var events = 0
            while Date() < deadline {
                Thread.sleep(forTimeInterval: 0.3)
                let text = (try? String(contentsOf: logs.appendingPathComponent("events.jsonl"), encoding: .utf8)) ?? ""
                events = text.split(separator: "\n").count
                if events >= 3 { break }
            }
            Thread.sleep(forTimeInterval: 1.5)
            p.terminate()
            p.waitUntilExit()
            #expect(p.terminationStatus == 143, "round \(round)")
            let stats = try AuditPipeBinary.stats(at: logs.appendingPathComponent("stats.json"))
            #expect(stats["lines_read"] == 6 && stats["events"] == 3, "round \(round): \(stats)")
            let text = try String(contentsOf: logs.appendingPathComponent("events.jsonl"), encoding: .utf8)
            #expect(text.split(separator: "\n").count == 3, "round \(round)")
        }
    }
}
