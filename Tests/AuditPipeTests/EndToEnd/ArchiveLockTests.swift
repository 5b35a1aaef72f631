import AuditPipe
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `archive` beside a live writer and beside another `archive`: a follower writing `--output-dir live/` while
/// archive runs every half second loses no event and archives none twice; two runs at once on one archive
/// directory take turns (or the second exits 5 naming the holder) and lose nothing.
struct ArchiveLockTests {
    /// Appends `count` requests to `dir/app.log`, 12 minutes of event time apart from 2026-11-01 on (five UTC
    /// days in all, so the writer moves from day file to day file). A request is a service line then the
    /// gateway's response; one in twenty (seeded) is a lone response that arrives late, 1–30 hours back, so
    /// an already archived day gets a late event that must be merged into it.
    static func append(count: Int, dir: String, pause: UInt32, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let base = ISO8601DateFormatter().date(from: "2026-11-01T00:00:00Z")!.timeIntervalSince1970
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        func ts(_ seconds: Double) -> String { formatter.string(from: Date(timeIntervalSince1970: base + seconds)) }
        let fd = open(dir + "/app.log", O_WRONLY | O_APPEND | O_CREAT, 0o644)
        for n in 0..<count {
            let t = Double(n) * 720
            let late = n > 200 && rng.next() % 20 == 0
            var text = ""
            if late {
                let back = Double(3600 * (1 + Int(rng.next() % 30)))
                text =
                    #"{"ts":"\#(ts(t - back))","service":"api-gateway","request_id":"req-\#(n)","method":"GET","path":"/api/v1/orders/o-\#(n)","status":200,"user":"bob"}"#
                    + "\n"
            } else {
                text =
                    #"{"ts":"\#(ts(t))","service":"orders","request_id":"req-\#(n)","level":"info","msg":"order loaded"}"#
                    + "\n"
                    + #"{"ts":"\#(ts(t + 0.005))","service":"api-gateway","request_id":"req-\#(n)","method":"GET","path":"/api/v1/orders/o-\#(n)","status":200,"user":"alice"}"#
                    + "\n"
            }
            _ = text.withCString { write(fd, $0, strlen($0)) }
            usleep(pause)
        }
        close(fd)
    }

    /// How many times each request id is in the archive, read from the gzip files themselves.
    static func archivedRequestIDs(_ dir: URL) throws -> [String: Int] {
        let (status, text) = try ArchiveTests.shell("zcat archive/*/*/??/*.jsonl.gz", in: dir)
        #expect(status == 0, "\(text.prefix(300))")
        return requestIDCounts(text)
    }

    /// Request ids seen so far in the live files and the archive together.
    static func writtenRequestIDs(_ dir: URL) throws -> Int {
        let (_, text) = try ArchiveTests.shell(
            "cat live/*.jsonl 2>/dev/null; zcat archive/*/*/??/*.jsonl.gz 2>/dev/null; true", in: dir)
        return requestIDCounts(text).count
    }

    static func requestIDCounts(_ text: String) -> [String: Int] {
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            counts[obj?["request_id"] as? String ?? "(none)", default: 0] += 1
        }
        return counts
    }

    @Test func followerBesideRepeatedArchiveRunsLosesNoEventAndArchivesNoneTwice() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let count = 600
        _ = FileManager.default.createFile(atPath: dir.appendingPathComponent("app.log").path, contents: nil)
        let follower = try AuditPipeBinary.start(
            [
                "correlate", "--follow", "app.log", "--output-dir", "live", "--lateness", "0s", "--idle", "1s", "-q",
            ], in: dir)
        let done = DispatchSemaphore(value: 0)
        let writer = Thread {
            Self.append(count: count, dir: dir.path, pause: 6_000, seed: 12)
            done.signal()
        }
        writer.start()
        var runs = 0
        var leftInUse = 0
        var failures: [String] = []
        repeat {
            let (status, err) = try ArchiveTests.run(["archive", "--from", "live", "--to", "archive"], in: dir)
            runs += 1
            if status != 0 { failures.append("run \(runs): exit \(status): \(err)") }
            leftInUse += err.components(separatedBy: "for the next run").count - 1
            usleep(500_000)
        } while done.wait(timeout: .now()) == .timedOut
        // Let the follower read everything and close the last groups (--idle 1s) before it is stopped.
        var waited = 0
        while try Self.writtenRequestIDs(dir) < count && waited < 300 {
            usleep(100_000)
            waited += 1
        }
        kill(follower.processIdentifier, SIGTERM)
        follower.waitUntilExit()
        #expect(follower.terminationStatus == 143)
        let (last, lastErr) = try ArchiveTests.run(["archive", "--from", "live", "--to", "archive"], in: dir)
        #expect(last == 0, "\(lastErr)")
        #expect(!lastErr.contains("for the next run"), "\(lastErr)")
        #expect(failures.isEmpty, "\(failures)")
        #expect(runs >= 3, "only \(runs) archive runs while the writer wrote")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("live").path)
        #expect(left.isEmpty, "live files left: \(left)")

        let counts = try Self.archivedRequestIDs(dir)
        let missing = (0..<count).map { "req-\($0)" }.filter { counts[$0] == nil }
        let repeated = counts.filter { $0.value > 1 }.keys.sorted()
        #expect(
            missing.isEmpty && repeated.isEmpty && counts.count == count,
            "\(runs) archive runs (\(leftInUse) days left in use): \(missing.count) of \(count) requests missing \(missing.prefix(5)), repeated \(repeated.prefix(5))"
        )
        let (verify, verr) = try ArchiveTests.run(["verify", "archive"], in: dir)
        #expect(verify == 0, "\(verr)")
    }

    @Test func twoArchiveRunsAtOnceTakeTurnsAndLoseNothing() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var expected = Set(try ArchiveTests.makeLive(dir, days: 1...4, perDay: 1500, seed: 0))
        let archive = ["archive", "--from", "live", "--to", "archive", "--level", "9"]

        // A second run while the first holds the lock, without --lock-timeout: exit 5 naming the holder.
        let first = try AuditPipeBinary.start(archive, in: dir, stderrFile: "first.err")
        let lockFile = dir.appendingPathComponent("archive/.auditpipe.lock")
        var waited = 0
        while (try? String(contentsOf: lockFile, encoding: .utf8))?.hasPrefix("\(first.processIdentifier)\n") != true,
            waited < 1000
        {
            usleep(2_000)
            waited += 1
        }
        let firstWasRunning = first.isRunning
        let (second, secondErr) = try ArchiveTests.run(archive, in: dir)
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        #expect(firstWasRunning, "the first run ended before the second started: make the data larger")
        #expect(second == 5, "\(secondErr)")
        #expect(
            secondErr.contains(
                "another archive run holds archive/.auditpipe.lock (pid \(first.processIdentifier))"), "\(secondErr)")

        // Two runs started at once with --lock-timeout: the second waits for the first; both succeed.
        expected.formUnion(try ArchiveTests.makeLive(dir, days: 3...6, perDay: 1500, seed: 1))
        let a = try AuditPipeBinary.start(archive + ["--lock-timeout", "2m"], in: dir, stderrFile: "a.err")
        let b = try AuditPipeBinary.start(archive + ["--lock-timeout", "2m"], in: dir, stderrFile: "b.err")
        a.waitUntilExit()
        b.waitUntilExit()
        let errors = ["a.err", "b.err"].map {
            (try? String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8)) ?? ""
        }
        #expect(a.terminationStatus == 0 && b.terminationStatus == 0, "\(errors)")

        let (verify, verr) = try ArchiveTests.run(["verify", "archive"], in: dir)
        #expect(verify == 0, "\(verr)")
        #expect(try ArchiveTests.run(["query", "archive", "--all", "-o", "back.jsonl", "-q"], in: dir).0 == 0)
        let back = ArchiveTests.lines(dir.appendingPathComponent("back.jsonl"))
        #expect(back.count == expected.count && Set(back) == expected, "\(back.count) of \(expected.count) events")
    }
}
