import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `correlate --follow --checkpoint`: a writer appends and rotates a log while auditpipe follows it; auditpipe
/// is killed with SIGKILL at a random point and restarted; the output must hold every request exactly once.
struct FollowCheckpointTests {
    /// Appends `count` requests (a service line, then the gateway's response record) to `dir/app.log`,
    /// renaming it to `app.log.<k>` every `rotateEvery` requests, as logrotate's `create` mode does.
    static func append(count: Int, rotateEvery: Int, dir: String, pause: UInt32) {
        let path = dir + "/app.log"
        var fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        for n in 0..<count {
            if n > 0 && n % rotateEvery == 0 {
                close(fd)
                rename(path, "\(path).\(n / rotateEvery)")
                fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
            }
            let ms = n * 10
            let t0 = String(format: "2026-11-21T10:%02d:%02d.%03dZ", ms / 60_000, ms / 1000 % 60, ms % 1000)
            let t1 = String(format: "2026-11-21T10:%02d:%02d.%03dZ", ms / 60_000, ms / 1000 % 60, ms % 1000 + 5)
            let text = """
                {"ts":"\(t0)","service":"orders","request_id":"req-\(n)","level":"info","msg":"order loaded"}
                {"ts":"\(t1)","service":"api-gateway","request_id":"req-\(n)","method":"GET","path":"/api/v1/orders/o-\(n)","status":200,"user":"alice"}

                """
            _ = text.withCString { write(fd, $0, strlen($0)) }
            usleep(pause)
        }
        close(fd)
    }

    func follow(_ dir: URL) throws -> Process {
        try AuditPipeBinary.start(
            [
                "correlate", "--follow", "app.log", "--checkpoint", "state", "-o", "out.jsonl", "--lateness", "0s",
                "--idle", "1s", "-q",
            ], in: dir)
    }

    func requestIDs(_ dir: URL) -> [String] {
        let text = (try? String(contentsOf: dir.appendingPathComponent("out.jsonl"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return obj?["request_id"] as? String
        }
    }

    @Test func killedAndRestartedFollowerEmitsEveryRequestExactlyOnce() async throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let count = 400
        let killAfter = UInt32.random(in: 200_000...1_500_000)
        let writer = Thread { Self.append(count: count, rotateEvery: 150, dir: dir.path, pause: 4_000) }
        writer.start()

        let first = try follow(dir)
        usleep(killAfter)
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let beforeRestart = requestIDs(dir).count

        let second = try follow(dir)
        // Wait for the writer, then for the output to settle on every request.
        var waited = 0
        while requestIDs(dir).count < count && waited < 300 {
            usleep(100_000)
            waited += 1
        }
        second.terminate()
        second.waitUntilExit()
        #expect(second.terminationStatus == 143)

        let ids = requestIDs(dir)
        let expected = (0..<count).map { "req-\($0)" }
        let counts = Dictionary(ids.map { ($0, 1) }, uniquingKeysWith: +)
        let missing = expected.filter { counts[$0] == nil }
        let repeated = counts.filter { $0.value > 1 }.keys.sorted()
        #expect(
            missing.isEmpty && repeated.isEmpty && ids.count == count,
            "killed after \(killAfter) µs with \(beforeRestart) events written; missing \(missing.prefix(5)), repeated \(repeated.prefix(5))"
        )
    }

    /// Appends one gateway API record a request to `file` in `dir`, request ids `<file>-<n>` for `n` in `ids`.
    static func append(_ file: String, _ ids: Range<Int>, in dir: String) {
        let fd = open(dir + "/" + file, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        for n in ids {
            let line = """
                {"ts":"2026-11-21T10:00:00.\(String(format: "%03d", n))Z","service":"api-gateway","request_id":"\(file)-\(n)","method":"GET","path":"/api/v1/orders/o-\(n)","status":200}

                """
            _ = line.withCString { Glibc.write(fd, $0, strlen($0)) }
        }
        close(fd)
    }

    @Test func copyTruncatedFileIsReadAgainAndNewGlobMatchesArePickedUp() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func append(_ file: String, _ ids: Range<Int>) { Self.append(file, ids, in: dir.path) }
        append("a.log", 0..<3)
        let p = try AuditPipeBinary.start(
            ["correlate", "--follow", "*.log", "-o", "out.jsonl", "--lateness", "0s", "--idle", "1s", "-q"], in: dir)
        // The follower has read the first lines once their events are out (a loaded machine may take a while
        // to start it); only then is the file copied away.
        for _ in 0..<300 where requestIDs(dir).count < 3 { usleep(100_000) }
        #expect(requestIDs(dir).count == 3)
        // copytruncate: the content is copied away (not followed: it does not match *.log) and the file emptied.
        try FileManager.default.copyItem(atPath: dir.path + "/a.log", toPath: dir.path + "/a.log.1")
        truncate(dir.path + "/a.log", 0)
        usleep(400_000)
        append("a.log", 3..<5)
        append("b.log", 0..<2)  // a new file matching the glob
        for _ in 0..<300 where requestIDs(dir).count < 7 { usleep(100_000) }
        usleep(500_000)
        p.terminate()
        p.waitUntilExit()
        #expect(p.terminationStatus == 143)
        let ids = requestIDs(dir).sorted()
        #expect(ids == ["a.log-0", "a.log-1", "a.log-2", "a.log-3", "a.log-4", "b.log-0", "b.log-1"])
    }

    /// A second follower on the same checkpoint is refused (exit 5) and writes nothing: two would write every
    /// event twice.
    @Test func aSecondFollowerOnTheSameCheckpointIsRefused() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        Self.append(count: 20, rotateEvery: 1_000, dir: dir.path, pause: 0)
        let args = [
            "correlate", "--follow", "app.log", "--checkpoint", "state", "-o", "out.jsonl", "--idle", "1s", "-q",
        ]
        let first = Process()
        first.executableURL = AuditPipeBinary.url
        first.arguments = args
        first.currentDirectoryURL = dir
        try first.run()
        for _ in 0..<300 where requestIDs(dir).count < 20 { usleep(100_000) }
        let before = try Data(contentsOf: dir.appendingPathComponent("out.jsonl"))
        let second = try AuditPipeBinary.run(args, in: dir)
        #expect(second.status == 5)
        #expect(
            second.stderr.contains(
                "locked: another run (pid \(first.processIdentifier)) follows with the checkpoint state"))
        #expect(try Data(contentsOf: dir.appendingPathComponent("out.jsonl")) == before)
        first.terminate()
        first.waitUntilExit()
        #expect(requestIDs(dir).count == 20)
    }

    @Test func aRestartNamingTheSameFileAnotherWayResumesIt() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        Self.append(count: 50, rotateEvery: 1_000, dir: dir.path, pause: 0)
        func run(_ pattern: String) throws {
            let p = try AuditPipeBinary.start(
                ["correlate", "--follow", pattern, "--checkpoint", "state", "-o", "out.jsonl", "--idle", "1s", "-q"],
                in: dir)
            usleep(2_500_000)
            p.terminate()
            p.waitUntilExit()
        }
        try run("app.log")
        #expect(requestIDs(dir).count == 50)
        // The same file by its absolute path: nothing is read twice.
        try run(dir.path + "/app.log")
        #expect(requestIDs(dir).count == 50)
    }

    /// A follower killed while its checkpoint knew the path only empty, right after it read the copy a
    /// copy-truncate made (or the file a rename took away): the restart reads what the path got since, and not
    /// that file again. Before, rotated files written within 10 ms before the path was found empty were read
    /// again (a rotation is seen in milliseconds, so a restart from such a commit repeated their lines). The
    /// rotated file's time is set to the moment the path was found empty, inside that margin, so the old rule
    /// fails every time.
    @Test(arguments: [false, true])
    func aRestartFromAPathFoundEmptyAfterItsRotationDoesNotReadItAgain(rename renamed: Bool) throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func append(_ file: String, _ ids: Range<Int>) { Self.append(file, ids, in: dir.path) }
        func entry(_ name: String) -> [String: Any]? {
            AuditPipeBinary.checkpointInputs(dir).first { ($0["path"] as? String) == name }
        }
        func follow() throws -> Process {
            try AuditPipeBinary.start(
                [
                    "correlate", "--follow", "*.log", "--checkpoint", "state", "-o", "out.jsonl", "--lateness", "0s",
                    "--idle", "1s", "-q",
                ], in: dir)
        }
        append("app.log", 0..<20)
        append("other.log", 0..<1)
        let first = try follow()
        for _ in 0..<600 where (entry("app.log")?["lines_read"] as? Int) != 20 { usleep(50_000) }
        #expect((entry("app.log")?["lines_read"] as? Int) == 20)
        // copytruncate; then lines elsewhere, so commits go on while the path is empty.
        let app = dir.appendingPathComponent("app.log").path
        if renamed {
            rename(app, app + ".1")
            append("app.log", 0..<0)
        } else {
            try Data(contentsOf: URL(fileURLWithPath: app)).write(to: URL(fileURLWithPath: app + ".1"))
            truncate(app, 0)
        }
        var other = 1
        while other < 400 && (entry("app.log")?["fingerprint_length"] as? Int) != 0 {
            append("other.log", other..<(other + 1))
            other += 1
            usleep(20_000)
        }
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let empty = try #require(entry("app.log"))
        #expect((empty["fingerprint_length"] as? Int) == 0)
        let since = try #require((empty["empty_since"] as? NSNumber)?.int64Value)
        var st = stat()
        #expect(stat(app + ".1", &st) == 0)
        let copied = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        if since > copied {
            var times = [timespec](
                repeating: timespec(tv_sec: Int(since / 1_000_000_000), tv_nsec: Int(since % 1_000_000_000)), count: 2)
            utimensat(AT_FDCWD, app + ".1", &times, 0)
        }
        append("app.log", 20..<25)
        let second = try follow()
        let expected = (0..<25).map { "app.log-\($0)" } + (0..<other).map { "other.log-\($0)" }
        for _ in 0..<300 where requestIDs(dir).count < expected.count { usleep(100_000) }
        usleep(500_000)
        kill(second.processIdentifier, SIGTERM)
        second.waitUntilExit()
        #expect(requestIDs(dir).sorted() == expected.sorted())
        #expect((entry("app.log")?["lines_read"] as? Int) == 25)
    }

    /// From a new-user trial: lines that all begin with the same 300 bytes (static context fields first), so every
    /// generation of the file starts alike. Killed after a commit, the path copy-truncated and written past the
    /// committed offset before the restart: the checkpoint's `tail` (the bytes before the offset) is not where the
    /// offset is any more, so the rest of the copy is read, then the path from its start. Before, the restart read
    /// on from the old offset in the new content: ten lines lost and a piece of a line as a record.
    @Test func aRestartFindsACopyTruncateOfAFileThatStartsAsItDid() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let app = dir.appendingPathComponent("app.log").path
        let prefix = "{\"host\":\"" + String(repeating: "h", count: 300) + "\",\"ts\":\"2026-11-21T10:00:00.000Z\","
        func append(_ ids: Range<Int>) {
            FollowRotationTests.append(ids.map { prefix + "\"request_id\":\"r-\($0)\"}\n" }.joined(), to: app)
        }
        func entry() -> [String: Any]? {
            AuditPipeBinary.checkpointInputs(dir).first { ($0["path"] as? String) == "app.log" }
        }
        func follow() throws -> Process {
            try AuditPipeBinary.start(
                [
                    "correlate", "--follow", "app.log", "--checkpoint", "state", "-o", "out.jsonl", "--lateness", "0s",
                    "--idle", "1s", "-q",
                ], in: dir)
        }
        append(0..<10)
        let first = try follow()
        for _ in 0..<600 where (entry()?["lines_read"] as? Int) != 10 { usleep(50_000) }
        #expect((entry()?["lines_read"] as? Int) == 10)
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        #expect(((entry()?["tail"] as? String)?.count ?? 0) == 128)
        append(10..<12)
        try FollowCopyTruncateTests.copyTruncate(app)
        append(12..<32)
        let second = try follow()
        for _ in 0..<300 where (entry()?["lines_read"] as? Int) != 32 { usleep(100_000) }
        usleep(1_500_000)
        kill(second.processIdentifier, SIGTERM)
        second.waitUntilExit()
        #expect(requestIDs(dir).sorted() == (0..<32).map { "r-\($0)" }.sorted())
        #expect((entry()?["lines_read"] as? Int) == 32)
    }
}
