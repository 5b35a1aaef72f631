import AuditPipe
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `correlate --follow --checkpoint` against a batch run over the same bytes: three files written
/// continuously (one rotated by rename, one by copy-truncate) while the follower is SIGKILLed at random
/// points (fixed seed) and restarted; at the end the events, dead letters and counts are those of one
/// `correlate` over the three streams.
struct FollowKillDifferentialTests {
    static let files = ["gateway.log", "services.log", "workers.log"]

    /// The demo dump cut into three streams: each record (with its continuation lines) goes to one file.
    static func streams(requests: Int, seed: Int) throws -> [[[UInt8]]] {
        let dump = try AuditPipeBinary.run(["demo", "--requests", "\(requests)", "--seed", "\(seed)"]).stdout
        var lines = [UInt8](dump).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
        if lines.last == [] { lines.removeLast() }
        var out: [[[UInt8]]] = [[], [], []]
        var current = 0
        var rng = SplitMix64(seed: UInt64(seed))
        for line in lines {
            let startsRecord = line.first.map { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "t") } ?? true
            if startsRecord { current = Int.random(in: 0..<3, using: &rng) }
            out[current].append(line + [UInt8(ascii: "\n")])
        }
        return out
    }

    static func write(_ fd: Int32, _ bytes: [UInt8]) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n <= 0 { break }
            done += n
        }
    }

    /// Counts the follower's lives, so the writer can spread its writing over a number of them.
    final class Lives: Sendable {
        let count = Atomic<Int>(0)
    }

    /// Writes the streams into `dir` over a few seconds, interleaved; rotates the first file by rename and
    /// the second by copy-truncate half-way. With `lives`, the writing is spread over at least `spread` of the
    /// follower's lives, however slow a loaded machine makes each of them.
    static func writeContinuously(
        _ streams: [[[UInt8]]], into dir: String, seed: UInt64, lives: Lives? = nil, spread: Int = 12
    ) {
        var rng = SplitMix64(seed: seed)
        var fds = files.map { open(dir + "/" + $0, O_WRONLY | O_APPEND | O_CREAT, 0o644) }
        var next = [0, 0, 0]
        var rotated = false
        var written = 0
        let total = streams.map(\.count).reduce(0, +)
        while next.enumerated().contains(where: { $0.element < streams[$0.offset].count }) {
            let f = Int.random(in: 0..<3, using: &rng)
            let n = Int.random(in: 1...25, using: &rng)
            var chunk: [UInt8] = []
            for _ in 0..<n where next[f] < streams[f].count {
                chunk += streams[f][next[f]]
                next[f] += 1
                written += 1
            }
            write(fds[f], chunk)
            if !rotated && written > total / 2 {
                rotated = true
                // Rename rotation (logrotate's create mode) of the first file.
                close(fds[0])
                rename(dir + "/" + files[0], dir + "/" + files[0] + ".1")
                fds[0] = open(dir + "/" + files[0], O_WRONLY | O_APPEND | O_CREAT, 0o644)
                // Copy-truncate of the second: copy what it holds, then cut it to nothing.
                let path = dir + "/" + files[1]
                if let data = FileManager.default.contents(atPath: path) {
                    _ = FileManager.default.createFile(atPath: path + ".1", contents: data)
                }
                ftruncate(fds[1], 0)
            }
            usleep(UInt32.random(in: 5_000...30_000, using: &rng))
            // Never a pause of the idle gap (4 s; a loaded machine can stall this thread for seconds) or more: a
            // writer stopped that long mid-request splits it live, as it should, where the batch run does not.
            for _ in 0..<40 {
                guard let lives, lives.count.load(ordering: .relaxed) < written * spread / total else { break }
                usleep(20_000)
            }
        }
        for fd in fds { close(fd) }
    }

    /// Starts a follower of `followed` (a glob of the logs, or their directory) in `dir`.
    func startFollower(in dir: URL, following followed: String = "logs/*.log") throws -> Process {
        try AuditPipeBinary.start(
            [
                "correlate", "--follow", followed, "--checkpoint", "state", "-o", "events.jsonl", "--dead-letter",
                "dead.jsonl", "--stats", "stats.json", "--idle", "4s", "-q",
            ], in: dir)
    }

    static func committedOffsets(_ dir: URL) -> Int64 {
        AuditPipeBinary.checkpointInputs(dir).reduce(0) { $0 + (($1["offset"] as? NSNumber)?.int64Value ?? 0) }
    }

    static func sortedLines(_ url: URL) -> [String] {
        let text = String(decoding: (try? Data(contentsOf: url)) ?? Data(), as: UTF8.self)
        return text.split(separator: "\n").map(String.init).sorted()
    }

    @Test func killedAndRestartedFollowerGivesTheBatchEvents() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let logs = dir.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let streams = try Self.streams(requests: 1200, seed: 21)
        for f in Self.files {
            _ = FileManager.default.createFile(atPath: logs.appendingPathComponent(f).path, contents: nil)
        }

        let writerDone = DispatchSemaphore(value: 0)
        let logsPath = logs.path
        let lives = Lives()
        Thread.detachNewThread {
            Self.writeContinuously(streams, into: logsPath, seed: 77, lives: lives)
            writerDone.signal()
        }
        var rng = SplitMix64(seed: 1234)
        var kills = 0
        var moves = 0
        var lastCommitted: Int64 = 0
        var writing = true
        while writing || kills < 20 {
            let p = try startFollower(in: dir)
            // Mostly short lives; every fourth run lives until its checkpoint moved (however loaded the machine).
            let life = UInt32.random(in: 300_000...1_200_000, using: &rng)
            if kills % 4 == 3 {
                for _ in 0..<300 where Self.committedOffsets(dir) <= lastCommitted { usleep(50_000) }
            } else {
                usleep(life)
            }
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            kills += 1
            lives.count.store(kills, ordering: .relaxed)
            let committed = Self.committedOffsets(dir)
            if writing && committed > lastCommitted { moves += 1 }
            lastCommitted = max(lastCommitted, committed)
            if writing && writerDone.wait(timeout: .now()) == .success { writing = false }
            if kills > 60 { break }
        }
        // The last run reads to the end, goes quiet, and is stopped cleanly.
        let before = FollowRotationTests.checkpointSaved(in: dir) ?? .distantPast
        let last = try startFollower(in: dir)
        FollowRotationTests.waitForCheckpoint(
            in: dir, lines: streams.map(\.count).reduce(0, +), beforeGivingUpAfter: 120, savedAfter: before)
        kill(last.processIdentifier, SIGTERM)
        last.waitUntilExit()
        #expect(kills >= 20)
        #expect(moves >= 2, "the checkpoint must move while the writer is busy (moved \(moves) times)")

        // The batch run over the same bytes: each followed stream whole, under its own name.
        let batchDir = dir.appendingPathComponent("batch/logs")
        try FileManager.default.createDirectory(at: batchDir, withIntermediateDirectories: true)
        for (i, f) in Self.files.enumerated() {
            try Data(streams[i].joined()).write(to: batchDir.appendingPathComponent(f))
        }
        let batch = try AuditPipeBinary.run(
            [
                "correlate", "logs/gateway.log", "logs/services.log", "logs/workers.log", "-o", "events.jsonl",
                "--dead-letter", "dead.jsonl", "--stats", "stats.json", "--idle", "4s", "-q",
            ], in: dir.appendingPathComponent("batch"))
        #expect(batch.status == 0, "\(batch.stderr)")

        let followed = Self.sortedLines(dir.appendingPathComponent("events.jsonl"))
        let expected = Self.sortedLines(dir.appendingPathComponent("batch/events.jsonl"))
        #expect(expected.count > 1000)
        let lost = Set(expected).subtracting(followed)
        let extra = Set(followed).subtracting(expected)
        #expect(followed.count == expected.count, "\(kills) kills: \(followed.count) events, batch \(expected.count)")
        #expect(
            lost.isEmpty && extra.isEmpty,
            "\(lost.count) lost, \(extra.count) extra, e.g. lost \(lost.sorted().prefix(1)), extra \(extra.sorted().prefix(1))"
        )
        if let keep = ProcessInfo.processInfo.environment["AUDITPIPE_KEEP_DIFF"], !(lost.isEmpty && extra.isEmpty) {
            try Data((lost.sorted().joined(separator: "\n") + "\n").utf8).write(
                to: URL(fileURLWithPath: keep + ".lost"))
            try Data((extra.sorted().joined(separator: "\n") + "\n").utf8).write(
                to: URL(fileURLWithPath: keep + ".extra"))
            try? FileManager.default.removeItem(atPath: keep + ".dir")
            try FileManager.default.copyItem(at: dir, to: URL(fileURLWithPath: keep + ".dir"))
        }
        #expect(
            Self.sortedLines(dir.appendingPathComponent("dead.jsonl"))
                == Self.sortedLines(dir.appendingPathComponent("batch/dead.jsonl")))
        let stats = try AuditPipeBinary.stats(at: dir.appendingPathComponent("stats.json"))
        let batchStats = try AuditPipeBinary.stats(at: dir.appendingPathComponent("batch/stats.json"))
        for key in ["lines_read", "record_lines", "dead_lettered", "blank", "events", "late", "partial"] {
            #expect(
                stats[key] == batchStats[key], "\(key): followed \(stats[key] ?? -1), batch \(batchStats[key] ?? -1)")
        }
    }
}
