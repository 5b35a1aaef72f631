import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A checkpointed follower killed again and again, each run shorter than `--idle`, with rotated history beside the
/// path: an input's pause is counted from when its file was last written, not from the run's start, so the runs
/// move on once the files have been quiet for the idle gap, as one long run would have. Before, a helper's trial
/// found, every restart waited the idle gap again on the quiet history inputs and on one whose file a rotation
/// had deleted: no run got past them, nothing was committed, and `logrotate`'s `rotate 3` deleted files before
/// any run had emitted them (1,746 lines of 2,650).
struct FollowCrashLoopTests {
    let ids = FollowCheckpointTests()

    func append(_ file: String, _ range: Range<Int>, in logs: URL) {
        FollowCheckpointTests.append(file, range, in: logs.path)
    }

    /// Runs a follower for `seconds`, then kills it (SIGKILL: no stop, no last commit).
    func runAndKill(in dir: URL, seconds: Double) throws {
        let p = try AuditPipeBinary.start(
            [
                "correlate", "--follow", "logs", "--checkpoint", "state", "-o", "out.jsonl", "--lateness", "0s",
                "--idle", "3s", "-q",
            ], in: dir)
        usleep(UInt32(seconds * 1_000_000))
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
    }

    @Test func runsShorterThanTheIdleGapMoveOnOnceTheFilesAreQuiet() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let logs = dir.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        for name in ["a.log.3", "a.log.2", "a.log.1", "a.log"] { append(name, 0..<2, in: logs) }
        // 2 s runs: the files fall quiet (3 s after they were written) during the second or third.
        for _ in 0..<4 { try runAndKill(in: dir, seconds: 2) }
        let first = ["a.log.3", "a.log.2", "a.log.1", "a.log"].flatMap { name in (0..<2).map { "\(name)-\($0)" } }
        #expect(ids.requestIDs(dir).sorted() == first.sorted(), "out after four 2 s runs")
        // A rotation while the follower is down, as `rotate 3` makes it: `a.log.3` deleted, the rest renamed on.
        unlink(logs.path + "/a.log.3")
        for n in [2, 1] { rename(logs.path + "/a.log.\(n)", logs.path + "/a.log.\(n + 1)") }
        rename(logs.path + "/a.log", logs.path + "/a.log.1")
        append("a.log", 2..<4, in: logs)
        // The history input whose file is gone has nothing more to read: it does not hold the others back.
        for _ in 0..<3 { try runAndKill(in: dir, seconds: 2) }
        let all = first + (2..<4).map { "a.log-\($0)" }
        #expect(ids.requestIDs(dir).sorted() == all.sorted(), "out after three more 2 s runs")
    }
}
