import AuditPipe
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Records the merge holds back — read from one file, waiting for another file's records to catch up in event
/// time — against a stop and a crash: a SIGTERM leaves them in place (the next run merges them in order), and
/// a commit covers them, so a file deleted after a SIGKILL loses nothing and its events keep their ids.
/// Each run is compared with `correlate` over the same bytes.
struct FollowHeldBackTests {
    static let base = 1_795_255_200.0

    static func line(_ seconds: Double, _ service: String, _ id: String) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"
        let ts = f.string(from: Date(timeIntervalSince1970: base + seconds))
        return #"{"ts":"\#(ts)","level":"info","service":"\#(service)","msg":"m","request_id":"\#(id)"}"# + "\n"
    }

    static func follow(_ dir: URL, idle: String) throws -> Process {
        try AuditPipeBinary.start(
            [
                "correlate", "--follow", "logs/*.log", "--checkpoint", "state", "-o", "events.jsonl", "--stats",
                "stats.json", "--idle", idle, "-q",
            ], in: dir)
    }

    /// The checkpoint's entry for the file named `name`, once one is saved.
    static func entry(_ dir: URL, _ name: String) -> [String: Any]? {
        AuditPipeBinary.checkpointInputs(dir).first { ($0["path"] as? String)?.hasSuffix("/" + name) == true }
    }

    /// Waits up to `seconds` for `condition`; true when it held.
    static func wait(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    static func sortedLines(_ url: URL) -> [String] {
        ((try? String(contentsOf: url, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init).sorted()
    }

    /// A SIGTERM while the merge holds a far-ahead record of one file (the other file has not reached its time)
    /// keeps it unmerged: before, the stop merged it, the clock jumped a minute, the open request closed, and
    /// its next line after the restart came out `late`, a second event.
    @Test func aStopLeavesWhatTheMergeHoldsBackInPlace() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let logs = dir.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let a = logs.appendingPathComponent("a.log").path
        let b = logs.appendingPathComponent("b.log").path

        // --idle 5s: the stop comes long before either file is quiet (a quiet file's record would merge).
        let first = try Self.follow(dir, idle: "5s")
        #expect(Self.wait(20) { FileManager.default.fileExists(atPath: dir.path + "/state/checkpoint.json") })
        // A second line in each file hands its first on (a file's last line waits for the next or for --idle).
        AuditPipeBinary.append(Self.line(0, "svc-a", "r1") + Self.line(0.05, "svc-a", "a2"), to: a)
        AuditPipeBinary.append(Self.line(60, "svc-b", "x") + Self.line(60.05, "svc-b", "b2"), to: b)
        #expect(
            Self.wait(20) {
                (Self.entry(dir, "a.log")?["offset"] as? Int ?? 0) > 0
                    && (Self.entry(dir, "b.log")?["offset"] as? Int ?? 0) > 0
            })
        first.terminate()
        first.waitUntilExit()
        #expect(first.terminationStatus == 143)
        #expect(Self.sortedLines(dir.appendingPathComponent("events.jsonl")).isEmpty)

        let second = try Self.follow(dir, idle: "5s")
        usleep(500_000)
        AuditPipeBinary.append(Self.line(0.2, "svc-a", "r1"), to: a)
        // Both files read to their ends and committed: that is after they went quiet and every request closed.
        let size = { (path: String) in (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1 }
        #expect(
            Self.wait(60) {
                Self.entry(dir, "a.log")?["offset"] as? Int == size(a)
                    && Self.entry(dir, "b.log")?["offset"] as? Int == size(b)
            })
        second.terminate()
        second.waitUntilExit()

        let batch = try AuditPipeBinary.run(
            [
                "correlate", a, b, "--idle", "5s", "-o", dir.path + "/batch.jsonl", "--stats",
                dir.path + "/batch-stats.json", "-q",
            ])
        #expect(batch.status == 0, "\(batch.stderr)")
        let followed = Self.sortedLines(dir.appendingPathComponent("events.jsonl"))
        #expect(followed == Self.sortedLines(dir.appendingPathComponent("batch.jsonl")))
        #expect(followed.count == 4)
        #expect(!followed.contains { $0.contains("late") })
        let stats = try AuditPipeBinary.stats(at: dir.appendingPathComponent("stats.json"))
        let batchStats = try AuditPipeBinary.stats(at: dir.appendingPathComponent("batch-stats.json"))
        for key in ["lines_read", "records", "events", "late"] { #expect(stats[key] == batchStats[key], "\(key)") }
    }

    /// A file whose record the merge holds back (ahead of the other file) is committed with that record; killed
    /// and the file deleted before the restart, the record is still merged, under its file's name: the event
    /// has batch's records, services and id. Before, the commit stayed at the file's start while the record
    /// waited, and the deletion lost it.
    @Test func aFileDeletedAfterACrashLosesNoRecordTheMergeHeld() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let logs = dir.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let a = logs.appendingPathComponent("a.log").path
        let b = logs.appendingPathComponent("b.log").path
        let kept = dir.appendingPathComponent("kept")
        try FileManager.default.createDirectory(at: kept, withIntermediateDirectories: true)

        var follower = try Self.follow(dir, idle: "1s")
        // a.log: one record 20 s of event time ahead; b.log: a record per event second, one every 150 ms,
        // and r1's second record.
        AuditPipeBinary.append(Self.line(20, "svc-a", "r1"), to: a)
        let writer = Thread {
            for i in 0..<32 {
                AuditPipeBinary.append(Self.line(Double(i), "svc-b", "b\(i)"), to: b)
                if i == 20 { AuditPipeBinary.append(Self.line(20.5, "svc-b", "r1"), to: b) }
                usleep(150_000)
            }
        }
        writer.start()
        // a.log read (quiet after the idle gap) and committed with its record still waiting for b.log.
        let held = Self.wait(30) {
            guard let e = Self.entry(dir, "a.log"), (e["offset"] as? Int ?? 0) > 0 else { return false }
            return !((e["pending"] as? [Any]) ?? []).isEmpty || !((e["held"] as? [Any]) ?? []).isEmpty
        }
        #expect(held, "a.log's record was never committed while the merge held it")
        kill(follower.processIdentifier, SIGKILL)
        follower.waitUntilExit()
        try FileManager.default.copyItem(atPath: a, toPath: kept.path + "/a.log")
        try FileManager.default.removeItem(atPath: a)
        follower = try Self.follow(dir, idle: "1s")
        while writer.isExecuting || !writer.isFinished { usleep(50_000) }
        #expect(
            Self.wait(30) {
                Self.sortedLines(dir.appendingPathComponent("events.jsonl")).contains { $0.contains(#""b31""#) }
            })
        usleep(300_000)
        follower.terminate()
        follower.waitUntilExit()

        try FileManager.default.copyItem(atPath: b, toPath: kept.path + "/b.log")
        let batch = try AuditPipeBinary.run(
            [
                "correlate", kept.path + "/a.log", kept.path + "/b.log", "--idle", "1s", "-o",
                dir.path + "/batch.jsonl",
                "--stats", dir.path + "/batch-stats.json", "-q",
            ])
        #expect(batch.status == 0, "\(batch.stderr)")
        let followed = Self.sortedLines(dir.appendingPathComponent("events.jsonl"))
        let expected = Self.sortedLines(dir.appendingPathComponent("batch.jsonl"))
        #expect(followed == expected)
        #expect(expected.contains { $0.contains(#""r1""#) && $0.contains("svc-a") })
        let stats = try AuditPipeBinary.stats(at: dir.appendingPathComponent("stats.json"))
        let batchStats = try AuditPipeBinary.stats(at: dir.appendingPathComponent("batch-stats.json"))
        for key in ["lines_read", "records", "events", "inputs"] { #expect(stats[key] == batchStats[key], "\(key)") }
    }
    /// A SIGTERM to a follower of many busy files ends it: the stopped merge takes nothing more, so readers
    /// waiting to send to it are released (before, 20 files written continuously left it hung after a
    /// SIGTERM in 4 to 6 tries of 6, from a new-user trial).
    @Test func aStopWithManyBusyFilesEnds() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let logs = dir.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let done = Atomic<Bool>(false)
        let writer = Thread {
            var rng = SplitMix64(seed: 4)
            var n = 0
            while !done.load(ordering: .relaxed) {
                for _ in 0..<20 {
                    let k = Int.random(in: 0..<20, using: &rng)
                    n += 1
                    AuditPipeBinary.append(
                        Self.line(Double(n) * 0.003, "s\(k)", "r\(n / 3)"),
                        to: logs.path + String(format: "/s%02d.log", k))
                }
                usleep(10_000)
            }
        }
        writer.start()
        defer { done.store(true, ordering: .relaxed) }
        for life in 0..<4 {
            let follower = try Self.follow(dir, idle: "5s")
            usleep(UInt32(400_000 + 500_000 * life))
            kill(follower.processIdentifier, SIGTERM)
            let ended = Self.wait(20) { !follower.isRunning }
            #expect(ended, "life \(life): still running 20 s after SIGTERM")
            if !ended { kill(follower.processIdentifier, SIGKILL) }
            follower.waitUntilExit()
            #expect(follower.terminationStatus == 143)
        }
    }
    /// A follower whose merge waits on a silent file (its last line waits for the next, within `--idle`)
    /// sleeps between its commit looks: before, it came back to commit at once each time it found nothing to
    /// commit, and spun (70% of a core in a trial). The bound is far above a sleeping follower's and far
    /// below a spinning one's on an idle machine.
    @Test func aFollowerWaitingOnASilentFileDoesNotSpin() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let logs = dir.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let follower = try Self.follow(dir, idle: "30s")
        defer {
            follower.terminate()
            follower.waitUntilExit()
        }
        AuditPipeBinary.append(Self.line(0, "svc-a", "r1") + Self.line(0.1, "svc-a", "r1"), to: logs.path + "/a.log")
        #expect(Self.wait(20) { (Self.entry(dir, "a.log")?["offset"] as? Int ?? 0) > 0 })
        func cpuTicks() -> Int {
            let stat = (try? String(contentsOfFile: "/proc/\(follower.processIdentifier)/stat", encoding: .utf8)) ?? ""
            let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
            // utime and stime: fields 14 and 15 of the whole line, 12 and 13 after the command's ")".
            return fields.count > 12 ? (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0) : 0
        }
        let before = cpuTicks()
        usleep(3_000_000)
        let used = cpuTicks() - before
        #expect(used < 100, "\(used) ticks of CPU in 3 s of waiting")
    }
}
