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
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let dump = dir.appendingPathComponent("d.log")
        try EventClockDifferentialTests.demo(requests: 300, seed: 38).write(to: dump)
        let file = dir.appendingPathComponent("file")
        try Data("x".utf8).write(to: file)
        let r = try AuditPipeBinary.run(
            ["correlate", dump.path] + flags.map { $0.replacingOccurrences(of: "FILE", with: file.path) })
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("cannot create the directory: Not a directory"), "\(r.stderr)")
        #expect(!r.stderr.contains(" lines read = "), "read before the output was refused: \(r.stderr)")
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
}
