import Foundation
import Testing

/// An output that fails during a run (a full disk, a file-size limit) ends it with exit 3 and the failure named,
/// and with the accounting line every run prints: how far the run got. A new-user trial found only the failure
/// on stderr (`-o /dev/full`, a full `--dead-letter`), no counts.
struct OutputFailureTests {
    @Test(arguments: [["-o", "/dev/full"], ["--dead-letter", "/dev/full", "-o", "/dev/null"]])
    func aFailedOutputEndsTheRunWithItsAccountingLine(flags: [String]) throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { return }
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let dump = dir.appendingPathComponent("d.log")
        try EventClockDifferentialTests.demo(requests: 3_000, seed: 38).write(to: dump)
        let r = try AuditPipeBinary.run(["correlate", dump.path] + flags)
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("output failed: /dev/full"), "\(r.stderr)")
        let accounting = r.stderr.split(separator: "\n").first { $0.contains(" lines read = ") }
        #expect(accounting != nil, "\(r.stderr)")
        let quiet = try AuditPipeBinary.run(["correlate", dump.path, "-q"] + flags)
        #expect(quiet.status == 3 && !quiet.stderr.contains(" lines read = "), "\(quiet.stderr)")
    }

    /// An output whose folder cannot be made is refused before anything is read, with the reason: a trial's
    /// `--output-dir` in an immutable folder said "No such file or directory", and an unwritable `--stats` was
    /// found only after the whole run. A regular file in the path stands for the folder that cannot be made.
    @Test(arguments: [
        ["-o", "FILE/sub/events.jsonl"], ["-o", "/dev/null", "--stats", "FILE/stats.json"],
        ["-o", "/dev/null", "--dead-letter", "FILE/d/dead.jsonl"], ["--output-dir", "FILE/live"],
    ])
    func anOutputWhoseFolderCannotBeMadeIsRefusedBeforeTheRun(flags: [String]) throws {
        let (dir, dump, file) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try AuditPipeBinary.run(
            ["correlate", dump.path] + flags.map { $0.replacingOccurrences(of: "FILE", with: file.path) })
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("cannot create its folder: Not a directory"), "\(r.stderr)")
        #expect(!r.stderr.contains(" lines read = "), "read before the output was refused: \(r.stderr)")
    }

    /// A temporary folder with a small demo dump and a regular file in it (a path through it stands for a folder
    /// that cannot be made).
    static func workspace() throws -> (dir: URL, dump: URL, file: URL) {
        let dir = try AuditPipeBinary.temporaryDirectory()
        let dump = dir.appendingPathComponent("d.log")
        try EventClockDifferentialTests.demo(requests: 300, seed: 38).write(to: dump)
        let file = dir.appendingPathComponent("file")
        try Data("x".utf8).write(to: file)
        return (dir, dump, file)
    }

    /// A dead-letter output that fails stops the readers, as a failed events output does: a trial's run read
    /// 294k lines on after it, to the end of its input.
    @Test func aFailedDeadLetterOutputStopsTheReaders() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { return }
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.log")
        let lines = 200_000
        try Data((0..<lines).map { "{\"broken json line \($0)\n" }.joined().utf8).write(to: bad)
        let r = try AuditPipeBinary.run(["correlate", bad.path, "-o", "/dev/null", "--dead-letter", "/dev/full"])
        #expect(r.status == 3, "\(r.stderr)")
        let accounting = r.stderr.split(separator: "\n").first { $0.contains(" lines read = ") }
        let read = accounting.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") }
        #expect(read.map { $0 < lines / 2 } == true, "\(r.stderr)")
    }

    /// A run refused for one output leaves every other as it was: they were opened (emptied) in turn before the
    /// refused one was tried (a new-user trial lost an events file so), and folders were made for them.
    @Test(arguments: [["--stats", "FILE/s.json"], ["--dead-letter", "FILE/d/dead.jsonl"], ["--stats", "DIR"]])
    func aRefusedRunLeavesTheOtherOutputsAsTheyWere(flags: [String]) throws {
        let (dir, dump, file) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let kept = dir.appendingPathComponent("events.jsonl")
        try Data("precious\n".utf8).write(to: kept)
        let named = flags.map {
            $0.replacingOccurrences(of: "FILE", with: file.path).replacingOccurrences(of: "DIR", with: dir.path)
        }
        let r = try AuditPipeBinary.run(
            ["correlate", dump.path, "-o", kept.path, "--dead-letter", dir.path + "/new/dead.jsonl"] + named)
        #expect(r.status == 3, "\(r.stderr)")
        #expect(try Data(contentsOf: kept) == Data("precious\n".utf8))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/new"), "a folder made for a refused run")
    }

    /// A follower whose `-o` folder (and `--checkpoint` folders) the run made resumes: the first run kept the
    /// events path as given (its folder was not there), the next took the made folder's real path for another
    /// file and refused to resume; a nested `--checkpoint` was refused (one level only was made).
    @Test func aFollowerThatMadeItsOutputFoldersResumes() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let logs = dir.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        try Data(#"{"ts":"2026-11-21T10:00:00Z","request_id":"r1","msg":"ok"}"#.utf8 + [10]).write(
            to: logs.appendingPathComponent("app.log"))
        for life in 0..<2 {
            let p = try AuditPipeBinary.start(
                ["correlate", "--follow", "logs", "--checkpoint", "state/a/b", "-o", "out/a/events.jsonl", "-q"],
                in: dir, stderrFile: "stderr")
            let checkpoint = dir.appendingPathComponent("state/a/b/checkpoint.json").path
            for _ in 0..<300 where p.isRunning && !FileManager.default.fileExists(atPath: checkpoint) {
                usleep(50_000)
            }
            usleep(300_000)
            p.terminate()
            p.waitUntilExit()
            let stderr = (try? String(contentsOf: dir.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
            #expect(p.terminationStatus == 128 + SIGTERM, "life \(life): \(stderr)")
        }
    }

    /// After one output fails, the counts the run reached go to `--stats` as to the accounting line (the file was
    /// left as the run before wrote it), the dead letters counted are in the dead-letter file, and `written` counts
    /// only events that reached the events output (a trial: `-o /dev/full` left 0 of 33 dead letters in a healthy
    /// file, and `written` said 22 with 0 bytes written).
    @Test func aFailedOutputLeavesTheDeadLettersCountedAndCountsOnlyWhatWasWritten() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { return }
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let dump = dir.appendingPathComponent("d.log")
        try EventClockDifferentialTests.demo(requests: 3_000, seed: 38).write(to: dump)
        let r = try AuditPipeBinary.run(
            ["correlate", dump.path, "-o", "/dev/full", "--dead-letter", "dead.jsonl", "--stats", "s.json"], in: dir)
        #expect(r.status == 3, "\(r.stderr)")
        let stats = try AuditPipeBinary.stats(at: dir.appendingPathComponent("s.json"))
        #expect((stats["lines_read"] ?? 0) > 0)
        #expect(stats["lines_read"] == stats["record_lines"]! + stats["dead_lettered"]! + stats["blank"]!)
        let dead = FollowKillDifferentialTests.sortedLines(dir.appendingPathComponent("dead.jsonl"))
        #expect((stats["dead_lettered"] ?? 0) > 0)
        #expect(
            dead.count == stats["dead_lettered"],
            "\(dead.count) dead letters written of \(stats["dead_lettered"] ?? -1)")
        #expect(stats["written"] == 0)
    }
}
