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

    /// From the second trial (helper-74): the same file reached another way (a hard link, standard input
    /// redirected from it) was emptied, and two outputs naming one file overwrote each other, all with exit 0.
    @Test func oneFileUnderTwoNamesIsRefusedAndKept() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("app.log")
        try Data(Self.log.utf8).write(to: log)
        try FileManager.default.linkItem(atPath: log.path, toPath: dir.appendingPathComponent("hard.log").path)
        let linked = try AuditPipeBinary.run(["correlate", "hard.log", "-o", "app.log"], in: dir)
        #expect(linked.status != 0 && linked.stderr.contains("both an input and an output"), "\(linked.stderr)")
        let piped = try AuditPipeBinary.run(["correlate", "-", "-o", "app.log"], in: dir, stdinFile: log)
        #expect(piped.status != 0 && piped.stderr.contains("standard input (-) is a file this run writes"))
        #expect(try String(contentsOf: log, encoding: .utf8) == Self.log)
        try Data("kept\n".utf8).write(to: dir.appendingPathComponent("x.jsonl"))
        try FileManager.default.linkItem(
            atPath: dir.appendingPathComponent("x.jsonl").path, toPath: dir.appendingPathComponent("y.jsonl").path)
        for outputs in [
            ["-o", "x.jsonl", "--dead-letter", "x.jsonl"], ["-o", "x.jsonl", "--stats", "./x.jsonl"],
            ["-o", "x.jsonl", "--stats", "y.jsonl"],
        ] {
            let r = try AuditPipeBinary.run(["correlate", "app.log"] + outputs, in: dir)
            let message =
                outputs[1] == outputs[3] ? "x.jsonl is named" : "x.jsonl and \(outputs[3]) are one file, named"
            #expect(r.status != 0 && r.stderr.contains("\(message) for two outputs"), "\(outputs): \(r.stderr)")
            #expect(try String(contentsOf: dir.appendingPathComponent("x.jsonl"), encoding: .utf8) == "kept\n")
        }
    }

    /// From a third trial (helper-75): an output that is a log of the directory read under another name (a hard
    /// link, as `-o` or as an existing day file) was taken for the run's own file and left out, and the log was
    /// emptied (or appended to, and read back by a follower). It is refused. Standard output redirected into the
    /// directory read is the run's own file: left out.
    @Test func anOutputThatIsALogReadUnderAnotherNameIsRefused() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let logs = dir.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let log = logs.appendingPathComponent("app.log")
        try Data(Self.log.utf8).write(to: log)
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("live"), withIntermediateDirectories: true)
        try FileManager.default.linkItem(atPath: log.path, toPath: dir.appendingPathComponent("out.jsonl").path)
        try FileManager.default.linkItem(
            atPath: log.path, toPath: dir.appendingPathComponent("live/events-2026-11-20.jsonl").path)
        for args in [
            ["logs", "-o", "out.jsonl"], ["logs/*", "--dead-letter", "out.jsonl"], ["logs", "--output-dir", "live"],
        ] {
            let r = try AuditPipeBinary.run(["correlate"] + args, in: dir)
            #expect(r.status != 0 && r.stderr.contains("under another name (a hard link)"), "\(args): \(r.stderr)")
            #expect(try String(contentsOf: log, encoding: .utf8) == Self.log, "\(args)")
        }
        // `> logs/out.jsonl`: the run's standard output is that file.
        let out = logs.appendingPathComponent("out.jsonl")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        // Standard output is the only output (a `--stats` file beside it hid this case once).
        let p = try AuditPipeBinary.start(
            ["correlate", "logs"], in: dir, stderrFile: "stderr", standardOutput: try FileHandle(forWritingTo: out))
        p.waitUntilExit()
        let errURL = dir.appendingPathComponent("stderr")
        let stderr = try String(contentsOf: errURL, encoding: .utf8)
        #expect(p.terminationStatus == 0 && stderr.contains("6 lines read = 6 in 6 records"), "\(stderr)")
        #expect(stderr.contains("out.jsonl: written by this run"), "\(stderr)")
    }

    /// A day directory (`--output-dir`) and a checkpoint directory are the run's only for the files they write:
    /// a log kept in either is still read (the first rule left out every file under them, silently).
    @Test func aLogBesideTheDayFilesOrTheCheckpointIsRead() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(Self.log.utf8).write(to: dir.appendingPathComponent("app.log"))
        let stats = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: stats) }
        for args in [[".", "--output-dir", "."], ["app.log", "--output-dir", "."], ["*", "--output-dir", "."]] {
            let r = try AuditPipeBinary.run(
                ["correlate"] + args + ["--stats", stats.appendingPathComponent("s.json").path, "-q"], in: dir)
            let counts = try AuditPipeBinary.stats(at: stats.appendingPathComponent("s.json"))
            #expect(r.status == 0 && counts["lines_read"] == 6, "\(args): \(r.stderr) \(counts)")
        }
        // The day file of those runs is no output of the follower: removed, so only the log is left to read.
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name.hasPrefix("events-") {
            try FileManager.default.removeItem(at: dir.appendingPathComponent(name))
        }
        let p = try AuditPipeBinary.start(
            ["correlate", "--follow", ".", "--checkpoint", ".", "-o", "/dev/null", "--stats", "stats.json"], in: dir)
        Thread.sleep(forTimeInterval: 3)
        p.terminate()
        p.waitUntilExit()
        let followed = try AuditPipeBinary.stats(at: dir.appendingPathComponent("stats.json"))
        #expect(followed["lines_read"] == 6, "\(followed)")
    }

    /// From the second trial: a follower restarted on its checkpoint with another `-o` cut that file back to the
    /// length the checkpoint committed for the first one. The checkpoint names its events file; another is refused.
    @Test func aCheckpointResumedIntoAnotherEventsFileIsRefused() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(Self.log.utf8).write(to: dir.appendingPathComponent("app.log"))
        let first = try AuditPipeBinary.start(
            ["correlate", "--follow", "app.log", "--checkpoint", "state", "-o", "a.jsonl"], in: dir)
        Thread.sleep(forTimeInterval: 3)
        first.terminate()
        first.waitUntilExit()
        let precious = String(repeating: "precious line\n", count: 200)
        try Data(precious.utf8).write(to: dir.appendingPathComponent("b.jsonl"))
        // Started, not run: a follower that is not refused would never end by itself.
        let second = try AuditPipeBinary.start(
            ["correlate", "--follow", "app.log", "--checkpoint", "state", "-o", "b.jsonl"], in: dir,
            stderrFile: "second.err")
        let deadline = Date().addingTimeInterval(20)
        while second.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if second.isRunning { second.terminate() }
        second.waitUntilExit()
        let stderr = try String(contentsOf: dir.appendingPathComponent("second.err"), encoding: .utf8)
        #expect(second.terminationStatus == 3 && stderr.contains("this checkpoint's events are in"), "\(stderr)")
        #expect(try String(contentsOf: dir.appendingPathComponent("b.jsonl"), encoding: .utf8) == precious)
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
            let p = try AuditPipeBinary.start(args, in: dir, stderrFile: "stderr.\(round)")
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
            // The second life finds its outputs there from the start: it says it leaves them out.
            let stderr = try String(contentsOf: dir.appendingPathComponent("stderr.\(round)"), encoding: .utf8)
            #expect(round == 1 || stderr.contains("written by this run"), "round \(round): \(stderr)")
        }
    }
}
