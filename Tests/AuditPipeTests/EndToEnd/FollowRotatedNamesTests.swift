import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A followed directory (or a glob such as `app.log*`) matches the names a rotation leaves and the copies a
/// copy-truncate makes: each such file is read once, by the path it was rotated from. Before, a helper's trial
/// found, `correlate --follow DIR` read `app.log.1` again from its start after a rename rotation (491 lines
/// read of 331, every record of the rotated file twice in its group).
struct FollowRotatedNamesTests {
    let ids = FollowCheckpointTests()

    func append(_ file: String, _ range: Range<Int>, in dir: URL) {
        FollowCheckpointTests.append(file, range, in: dir.path)
    }

    /// Waits until `count` events are out (a loaded machine may take a while), then a little longer, so a look
    /// for new files happens after the last change.
    func wait(for count: Int, in dir: URL) {
        for _ in 0..<300 where ids.requestIDs(dir).count < count { usleep(100_000) }
        usleep(2_500_000)
    }

    /// A new temporary directory with an empty `logs` folder in it.
    func logsDirectory() throws -> (dir: URL, logs: URL) {
        let dir = try AuditPipeBinary.temporaryDirectory()
        let logs = dir.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        return (dir, logs)
    }

    /// Rotates `a.log` by rename, as logrotate does: `a.log.1` to `a.log.2`, then `a.log` to `a.log.1`.
    func rotate(in logs: URL) {
        rename(logs.path + "/a.log.1", logs.path + "/a.log.2")
        rename(logs.path + "/a.log", logs.path + "/a.log.1")
    }

    /// Writes lines `a.log-<i>` for `ids` through `fd`, a program's open descriptor (which a rename leaves open).
    func write(_ fd: Int32, _ ids: Range<Int>) {
        for i in ids {
            let time = "2026-11-21T10:00:00.\(String(format: "%03d", i))Z"
            let line = "{\"ts\":\"\(time)\",\"service\":\"api\",\"request_id\":\"a.log-\(i)\"}\n"
            _ = line.withCString { Glibc.write(fd, $0, strlen($0)) }
        }
    }

    func follow(_ arguments: [String], in dir: URL) throws -> Process {
        try AuditPipeBinary.start(
            ["correlate", "--follow"] + arguments + ["-o", "out.jsonl", "--lateness", "0s", "--idle", "1s", "-q"],
            in: dir)
    }

    @Test func aFileRenamedInAFollowedDirectoryIsReadOnce() throws {
        let (dir, logs) = try logsDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        append("a.log", 0..<3, in: logs)
        let p = try follow(["logs"], in: dir)
        wait(for: 3, in: dir)
        rename(logs.path + "/a.log", logs.path + "/a.log.1")
        append("a.log", 3..<5, in: logs)
        wait(for: 5, in: dir)
        // Renamed on, as logrotate does at the next rotation.
        rotate(in: logs)
        append("a.log", 5..<6, in: logs)
        wait(for: 6, in: dir)
        p.terminate()
        p.waitUntilExit()
        #expect(ids.requestIDs(dir).sorted() == (0..<6).map { "a.log-\($0)" })
    }

    @Test func aCopyTruncatesCopyInAFollowedDirectoryIsNotReadAgain() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        append("a.log", 0..<4, in: dir)
        let p = try follow(["a.log*"], in: dir)
        wait(for: 4, in: dir)
        try FileManager.default.copyItem(atPath: dir.path + "/a.log", toPath: dir.path + "/a.log.1")
        truncate(dir.path + "/a.log", 0)
        append("a.log", 4..<9, in: dir)
        wait(for: 9, in: dir)
        // The next copy-truncate: the first copy moves up a number, the file is copied again and cut.
        rename(dir.path + "/a.log.1", dir.path + "/a.log.2")
        try FileManager.default.copyItem(atPath: dir.path + "/a.log", toPath: dir.path + "/a.log.1")
        truncate(dir.path + "/a.log", 0)
        append("a.log", 9..<11, in: dir)
        wait(for: 11, in: dir)
        p.terminate()
        p.waitUntilExit()
        #expect(ids.requestIDs(dir).sorted() == (0..<11).map { "a.log-\($0)" }.sorted())
    }

    /// Rotated files there when following began (`a.log.1` beside `a.log`) are read once, and a rotation then
    /// renaming `a.log` to `a.log.1` does not have the path `a.log.1` read it again (a helper's trial: 600 lines
    /// read twice).
    @Test func historyBesideAFollowedFileIsReadOnceAcrossARotation() throws {
        let (dir, logs) = try logsDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        append("a.log.1", 0..<3, in: logs)
        append("a.log", 0..<3, in: logs)
        let p = try follow(["logs"], in: dir)
        wait(for: 6, in: dir)
        rotate(in: logs)
        append("a.log", 3..<5, in: logs)
        wait(for: 8, in: dir)
        p.terminate()
        p.waitUntilExit()
        let expected = (0..<3).map { "a.log.1-\($0)" } + (0..<5).map { "a.log-\($0)" }
        #expect(ids.requestIDs(dir).sorted() == expected.sorted())
    }

    /// A path named two ways is followed once, also across the moment a rename rotation leaves no file there (a
    /// helper's trial: `--follow logs/app.log ./logs/app.log` read everything after the rotation twice).
    @Test func aPathNamedTwoWaysIsFollowedOnceAcrossARotation() throws {
        let (dir, logs) = try logsDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        append("a.log", 0..<3, in: logs)
        let p = try follow(["logs/a.log", "./logs/a.log"], in: dir)
        wait(for: 3, in: dir)
        rename(logs.path + "/a.log", logs.path + "/a.log.1")
        usleep(2_500_000)
        append("a.log", 3..<5, in: logs)
        wait(for: 5, in: dir)
        p.terminate()
        p.waitUntilExit()
        #expect(ids.requestIDs(dir).sorted() == (0..<5).map { "a.log-\($0)" })
    }

    /// Rotated while the follower runs, stopped, rotated again while it is down: the restart passes over the
    /// file read in the first life (`a.log.2` now, kept by the checkpoint as `read`) and the one its entry names
    /// (`a.log.1`). With no file at the path when it restarts, the first file is not taken for a rotation of the
    /// path's new file either (a helper's trial: 400 lines twice, and event ids written twice).
    @Test(arguments: [false, true])
    func aRestartDoesNotReadTheFilesReadBeforeAgain(pathMissingAtRestart missing: Bool) throws {
        let (dir, logs) = try logsDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func start() throws -> Process { try follow(["logs", "--checkpoint", "state"], in: dir) }
        append("a.log", 0..<3, in: logs)
        let first = try start()
        wait(for: 3, in: dir)
        // Written after following began, as a rotation of the path's new file would be.
        append("a.log", 3..<5, in: logs)
        wait(for: 5, in: dir)
        rotate(in: logs)
        append("a.log", 5..<7, in: logs)
        wait(for: 7, in: dir)
        first.terminate()
        first.waitUntilExit()
        let checkpoint = try String(contentsOf: dir.appendingPathComponent("state/checkpoint.json"), encoding: .utf8)
        #expect(checkpoint.contains("\"read\":["))
        rotate(in: logs)
        if !missing { append("a.log", 7..<8, in: logs) }
        let second = try start()
        usleep(1_500_000)
        append("a.log", (missing ? 7 : 8)..<10, in: logs)
        wait(for: 10, in: dir)
        second.terminate()
        second.waitUntilExit()
        // (A stopped checkpointed follower keeps its open groups in the checkpoint; these requests have one record
        // each and close at once, so every one is written.)
        #expect(ids.requestIDs(dir).sorted() == (0..<10).map { "a.log-\($0)" }.sorted())
    }

    /// One file named three ways (its directory, its path, a path through `.`) and once through a hard link:
    /// read once; the link, found at start, is warned of.
    @Test func aFileNamedSeveralWaysIsFollowedOnce() throws {
        let (dir, logs) = try logsDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        append("a.log", 0..<3, in: logs)
        link(logs.path + "/a.log", dir.path + "/hard.log")
        let p = try AuditPipeBinary.start(
            [
                "correlate", "--follow", "logs", "logs/a.log", "./logs/a.log", "hard.log", "-o", "out.jsonl",
                "--lateness", "0s", "--idle", "1s",
            ], in: dir, stderrFile: "stderr.txt")
        wait(for: 3, in: dir)
        append("a.log", 3..<4, in: logs)
        wait(for: 4, in: dir)
        p.terminate()
        p.waitUntilExit()
        #expect(ids.requestIDs(dir).sorted() == (0..<4).map { "a.log-\($0)" })
        let stderr = try String(contentsOf: dir.appendingPathComponent("stderr.txt"), encoding: .utf8)
        #expect(stderr.contains("warning: hard.log: its file is read under another name"), "\(stderr)")
        #expect(stderr.contains("4 lines read"), "\(stderr)")
    }

    /// Rotated history there when following began (`a.log.1` to `.3`), then logrotate's `rotate 3` (the oldest
    /// deleted, the others renamed up, the file renamed or copied and cut), then a restart: each file is read
    /// once. Before, a helper's trial found, the restart had `a.log.3` read the file it holds now (read before as
    /// `a.log.2`), and with copy-truncate a copy that took the deleted file's inode (2,110 and 2,931 lines read of
    /// 1,910).
    @Test(arguments: [false, true])
    func rotatedHistoryShiftedOnIsReadOnceAcrossARestart(copyTruncate: Bool) throws {
        let (dir, logs) = try logsDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func start() throws -> Process { try follow(["logs", "--checkpoint", "state"], in: dir) }
        for name in ["a.log.3", "a.log.2", "a.log.1", "a.log"] { append(name, 0..<2, in: logs) }
        let first = try start()
        wait(for: 8, in: dir)
        unlink(logs.path + "/a.log.3")
        rename(logs.path + "/a.log.2", logs.path + "/a.log.3")
        rename(logs.path + "/a.log.1", logs.path + "/a.log.2")
        if copyTruncate {
            try FileManager.default.copyItem(atPath: logs.path + "/a.log", toPath: logs.path + "/a.log.1")
            truncate(logs.path + "/a.log", 0)
        } else {
            rename(logs.path + "/a.log", logs.path + "/a.log.1")
        }
        append("a.log", 2..<4, in: logs)
        wait(for: 10, in: dir)
        first.terminate()
        first.waitUntilExit()
        let second = try start()
        usleep(1_500_000)
        append("a.log", 4..<5, in: logs)
        wait(for: 11, in: dir)
        second.terminate()
        second.waitUntilExit()
        let history = ["a.log.3", "a.log.2", "a.log.1"].flatMap { name in (0..<2).map { "\(name)-\($0)" } }
        #expect(ids.requestIDs(dir).sorted() == (history + (0..<5).map { "a.log-\($0)" }).sorted())
    }

    /// A live file beside the path whose name starts with the path's (`a.log.bak`, `a.log-worker`, or one named
    /// like a rotation, `a.log.2026`) is not taken for the path's rotation when the path is renamed away. Before,
    /// a helper's trial found, the path's input read it too (500 lines read of 400).
    @Test(arguments: ["a.log.bak", "a.log-worker", "a.log.2026"])
    func aLiveFileNamedLikeTheRotationsIsNotReadAsOne(sibling: String) throws {
        let (dir, logs) = try logsDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        append("a.log", 0..<3, in: logs)
        append(sibling, 0..<2, in: logs)
        let p = try follow(["logs"], in: dir)
        wait(for: 5, in: dir)
        // Written after the path was, so it is newer than the file the rotation renames.
        append(sibling, 2..<4, in: logs)
        wait(for: 7, in: dir)
        rename(logs.path + "/a.log", logs.path + "/a.log.1")
        append("a.log", 3..<5, in: logs)
        wait(for: 9, in: dir)
        p.terminate()
        p.waitUntilExit()
        let expected = (0..<5).map { "a.log-\($0)" } + (0..<4).map { "\(sibling)-\($0)" }
        #expect(ids.requestIDs(dir).sorted() == expected.sorted())
    }

    /// History under a rotated name that starts as the path does (a 300-byte banner at the top of every
    /// generation) is read at a fresh start, with or without a checkpoint: nothing was read yet that it could be a
    /// copy of. Before, a helper's trial found, it was passed over as a copy of the path, with a false warning.
    @Test(arguments: [false, true])
    func historyThatStartsAsThePathDoesIsRead(checkpointed: Bool) throws {
        let (dir, logs) = try logsDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let banner = "# " + String(repeating: "=", count: 297) + "\n"
        for name in ["a.log.1", "a.log"] {
            FileManager.default.createFile(atPath: logs.path + "/" + name, contents: Data(banner.utf8))
            append(name, 0..<2, in: logs)
        }
        let p = try follow(["logs"] + (checkpointed ? ["--checkpoint", "state"] : []), in: dir)
        wait(for: 4, in: dir)
        append("a.log", 2..<3, in: logs)
        wait(for: 5, in: dir)
        p.terminate()
        p.waitUntilExit()
        let expected = (0..<2).map { "a.log.1-\($0)" } + (0..<3).map { "a.log-\($0)" }
        #expect(ids.requestIDs(dir).sorted() == expected.sorted())
    }

    /// A symbolic link followed by name (`logs/current` to `a.log`) beside its directory: the file's copies
    /// (`a.log.1`) are the link's rotated names, read by the link's input and passed over as new paths. Before, a
    /// helper's trial found, a copy the directory's look saw first was read again as a file of its own (700 lines
    /// read of 400). Here the copy is made a while before the file is cut, so the look always sees it first.
    @Test func aCopyOfAFileFollowedThroughALinkIsReadOnce() throws {
        let (dir, logs) = try logsDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        append("a.log", 0..<3, in: logs)
        symlink("a.log", logs.path + "/current")
        let p = try follow(["logs/current", "logs"], in: dir)
        wait(for: 3, in: dir)
        try FileManager.default.copyItem(atPath: logs.path + "/a.log", toPath: logs.path + "/a.log.1")
        usleep(2_500_000)
        truncate(logs.path + "/a.log", 0)
        append("a.log", 3..<5, in: logs)
        wait(for: 5, in: dir)
        p.terminate()
        p.waitUntilExit()
        #expect(ids.requestIDs(dir).sorted() == (0..<5).map { "a.log-\($0)" })
    }

    /// History that is still written after following began (logrotate's `create` renamed `a.log` to `a.log.1`; the
    /// program writes on into it until it reopens its log), then a kill and a restart while the path is still
    /// empty: `a.log.1` is read once, by its own input. Before, a helper's trial found, the path's reader took it
    /// for a copy-truncate's copy made since the path was found empty, and read it too (1,875 lines of 1,237).
    @Test func historyWrittenAfterFollowingBeganIsReadOnceAcrossARestart() throws {
        let (dir, logs) = try logsDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func start() throws -> Process { try follow(["logs", "--checkpoint", "state"], in: dir) }
        append("a.log.2", 0..<2, in: logs)
        append("a.log.1", 0..<2, in: logs)
        FileManager.default.createFile(atPath: logs.path + "/a.log", contents: nil)
        let first = try start()
        usleep(700_000)
        append("a.log.1", 2..<4, in: logs)
        wait(for: 6, in: dir)
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let second = try start()
        usleep(1_000_000)
        append("a.log", 0..<2, in: logs)
        wait(for: 8, in: dir)
        second.terminate()
        second.waitUntilExit()
        let expected = (0..<2).map { "a.log.2-\($0)" } + (0..<4).map { "a.log.1-\($0)" } + (0..<2).map { "a.log-\($0)" }
        #expect(ids.requestIDs(dir).sorted() == expected.sorted())
    }

    /// A restart in the moment a rename rotation has taken the path's file away and the writer has not made the
    /// next one yet: the path keeps its checkpoint entry and reads the rest of its file under the rotated name (at
    /// once, not when the new file comes), then the new file. Before, `a.log.1` took the path's entry over and was followed as a path of its own, so each
    /// later rotation renamed onto it a generation `a.log`'s input had read, and it read it again (a new-user
    /// trial's harness, rename rotations under SIGKILL: a generation of 145 lines read twice, two records in each
    /// of its events).
    @Test func aRestartWhileThePathIsRenamedAwayReadsEachGenerationOnce() throws {
        let (dir, logs) = try logsDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func start() throws -> Process {
            try follow(["logs/a.log*", "--checkpoint", "state", "--stats", "stats.json"], in: dir)
        }
        append("a.log", 0..<3, in: logs)
        let first = try start()
        wait(for: 3, in: dir)
        first.terminate()
        first.waitUntilExit()
        // Written, then renamed away while the follower is down; no new file yet.
        append("a.log", 3..<5, in: logs)
        rename(logs.path + "/a.log", logs.path + "/a.log.1")
        let second = try start()
        // The rest of the renamed file is read before the writer makes the new one.
        wait(for: 5, in: dir)
        #expect(ids.requestIDs(dir).count == 5)
        append("a.log", 5..<7, in: logs)
        wait(for: 7, in: dir)
        for (generation, next) in [(7, 9), (9, 11)] {
            // Each rename rotation puts the generation the path's input read at `a.log.1`.
            rename(logs.path + "/a.log.2", logs.path + "/a.log.3")
            rotate(in: logs)
            append("a.log", generation..<next, in: logs)
            wait(for: next, in: dir)
        }
        second.terminate()
        second.waitUntilExit()
        #expect(ids.requestIDs(dir).sorted() == (0..<11).map { "a.log-\($0)" }.sorted())
        let events = (try? String(contentsOf: dir.appendingPathComponent("out.jsonl"), encoding: .utf8)) ?? ""
        let records = events.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["records"] as? Int
        }
        #expect(records == Array(repeating: 1, count: 11), "every line read once")
        let stats = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("stats.json")))
        #expect((stats as? [String: Any])?["lines_read"] as? Int == 11)
    }

    /// A rename rotation whose program reopens its log a moment later (logrotate's `create`, then a reload):
    /// the lines it writes to the renamed file meanwhile are read, before the new file's. Before, the follower
    /// went on to the new file as soon as it was there (a new-user trial: 29 of 160 lines lost, no kill needed).
    @Test(arguments: ["logs", "logs/a.log*", "logs/*.log"])
    func linesWrittenToTheRenamedFileBeforeTheWriterReopensAreRead(target: String) throws {
        let (dir, logs) = try logsDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let old = open(logs.path + "/a.log", O_WRONLY | O_APPEND | O_CREAT, 0o644)
        defer { close(old) }
        write(old, 0..<3)
        let p = try follow([target], in: dir)
        wait(for: 3, in: dir)
        rename(logs.path + "/a.log", logs.path + "/a.log.1")
        FileManager.default.createFile(atPath: logs.path + "/a.log", contents: nil)
        for i in 3..<6 {
            // The program still writes to the file it has open.
            usleep(150_000)
            write(old, i..<(i + 1))
        }
        let new = open(logs.path + "/a.log", O_WRONLY | O_APPEND, 0o644)
        defer { close(new) }
        write(new, 6..<8)
        wait(for: 8, in: dir)
        p.terminate()
        p.waitUntilExit()
        #expect(ids.requestIDs(dir).sorted() == (0..<8).map { "a.log-\($0)" }.sorted())
    }

    /// A restart while the path is renamed away and its program has not reopened it: what the program still
    /// writes to the renamed file is read (also when the path never comes back), then the new file. Before, the
    /// rest of the file as it was at the restart was read, and then nothing more of it (27 of 160 lines lost).
    @Test func aRenamedFileStillWrittenAfterARestartIsReadOn() throws {
        let (dir, logs) = try logsDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func start() throws -> Process {
            try follow(["logs", "--checkpoint", "state", "--stats", "stats.json"], in: dir)
        }
        append("a.log", 0..<3, in: logs)
        let first = try start()
        wait(for: 3, in: dir)
        first.terminate()
        first.waitUntilExit()
        rename(logs.path + "/a.log", logs.path + "/a.log.1")
        append("a.log.1", 3..<4, in: logs)
        let second = try start()
        wait(for: 4, in: dir)
        append("a.log.1", 4..<6, in: logs)
        wait(for: 6, in: dir)
        #expect(ids.requestIDs(dir).count == 6, "what is written to the renamed file after the restart")
        append("a.log", 6..<8, in: logs)
        wait(for: 8, in: dir)
        second.terminate()
        second.waitUntilExit()
        let expected = (0..<3).map { "a.log-\($0)" } + (3..<6).map { "a.log.1-\($0)" } + (6..<8).map { "a.log-\($0)" }
        #expect(ids.requestIDs(dir).sorted() == expected.sorted())
        let stats = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("stats.json")))
        #expect((stats as? [String: Any])?["lines_read"] as? Int == 8)
    }
}

extension FollowRotatedNamesTests {
    /// A copy-truncate's copy made while following, under a rotated name the followed directory or glob matches, is
    /// the path's input's to read: a copy of a generation shorter than a fingerprint (256 bytes), found before the
    /// cut, could not be told for one by its first bytes and was followed as a file of its own (each of its lines
    /// read twice); so was a copy of lines the path's input had not reached yet (a kill differential under load).
    @Test(arguments: ["logs", "logs/a.log*"])
    func aCopyOfAShortGenerationMadeWhileFollowingIsReadOnce(target: String) throws {
        let first = try copyOfAShortGeneration(target: target)
        guard !first.isEmpty else { return }
        // Once, beside every follow suite and two CPU burners, a follower wrote events 0 and 1 only and no stats
        // (1 run in about 45 of that load, 0 in 40 loop runs of the scenario since): recorded with the follower's
        // exit status and stderr, and the scenario run again; a second miss fails.
        withKnownIssue("a rare stall under heavy load, not traced yet", isIntermittent: true) {
            for miss in first { Issue.record("first run: \(miss)") }
        }
        for miss in try copyOfAShortGeneration(target: target) { Issue.record("\(miss)") }
    }

    /// The scenario of `aCopyOfAShortGenerationMadeWhileFollowingIsReadOnce`; returns what went wrong.
    func copyOfAShortGeneration(target: String) throws -> [String] {
        let (dir, logs) = try logsDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        append("a.log", 0..<1, in: logs)
        let p = try AuditPipeBinary.start(
            [
                "correlate", "--follow", target, "--checkpoint", "state", "--stats", "stats.json", "-o", "out.jsonl",
                "--lateness", "0s", "--idle", "1s", "-q",
            ], in: dir, stderrFile: "stderr")
        wait(for: 1, in: dir)
        for (k, next) in [(1, 2), (2, 4)] {
            // logrotate's copytruncate: older copies move up a number, the file is copied and cut.
            if k > 1 { rename(logs.path + "/a.log.1", logs.path + "/a.log.2") }
            try FileManager.default.copyItem(atPath: logs.path + "/a.log", toPath: logs.path + "/a.log.1")
            // The cut a moment after the copy (a slow copy, a script): a look for new files comes between.
            usleep(2_500_000)
            truncate(logs.path + "/a.log", 0)
            append("a.log", k..<next, in: logs)
            wait(for: next, in: dir)
        }
        let running = p.isRunning
        p.terminate()
        p.waitUntilExit()
        var misses: [String] = []
        let got = ids.requestIDs(dir).sorted()
        if got != (0..<4).map({ "a.log-\($0)" }) { misses.append("events \(got)") }
        let stats = try? AuditPipeBinary.stats(at: dir.appendingPathComponent("stats.json"))
        if stats?["lines_read"] != 4 { misses.append("lines_read \(stats?["lines_read"] ?? -1), not 4 (each once)") }
        let state =
            (try? String(contentsOf: dir.appendingPathComponent("state/checkpoint.json"), encoding: .utf8)) ?? ""
        if state.contains("a.log.1\"") { misses.append("an input of its own for a copy") }
        if !misses.isEmpty {
            let stderr = (try? String(contentsOf: dir.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
            misses.append(
                "follower \(running ? "running at the stop" : "gone before the stop"), exit \(p.terminationStatus) (\(p.terminationReason == .uncaughtSignal ? "signal" : "exit")); stderr: \(stderr.suffix(2000))"
            )
        }
        return misses
    }
}

extension FollowRotatedNamesTests {
    /// logrotate's `compress` in a followed directory: `a.log.2.gz` there at start, `a.log.3.gz` made while
    /// following and `a.log.4.gz` made while a checkpointed follower was down (SIGKILL) are not followed: their
    /// lines are read from the plain files. Before, each was followed as a file of its own, its bytes dead letters
    /// (a trial: 20–40 per file after a restart, and events with no id), and a new one at every rotation held the
    /// merge back while the reader waited (a trial with `delaycompress`: whole generations lost, no kill).
    @Test func compressedFilesInAFollowedDirectoryAreNotFollowed() throws {
        let (dir, logs) = try logsDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let gzipBytes = Data([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x4b, 0x4c, 0x02, 0x00, 0x0a])
        try gzipBytes.write(to: logs.appendingPathComponent("a.log.2.gz"))
        append("a.log", 0..<3, in: logs)
        func start() throws -> Process {
            try AuditPipeBinary.start(
                [
                    "correlate", "--follow", "logs", "--checkpoint", "state", "-o", "out.jsonl", "--stats",
                    "stats.json", "--dead-letter", "dead.jsonl", "--lateness", "0s", "--idle", "1s",
                ], in: dir, stderrFile: "stderr.txt")
        }
        let first = try start()
        wait(for: 3, in: dir)
        try gzipBytes.write(to: logs.appendingPathComponent("a.log.3.gz"))
        append("a.log", 3..<5, in: logs)
        wait(for: 5, in: dir)
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        try gzipBytes.write(to: logs.appendingPathComponent("a.log.4.gz"))
        append("a.log", 5..<7, in: logs)
        let second = try start()
        wait(for: 7, in: dir)
        second.terminate()
        second.waitUntilExit()
        #expect(ids.requestIDs(dir).sorted() == (0..<7).map { "a.log-\($0)" })
        let dead = (try? String(contentsOf: dir.appendingPathComponent("dead.jsonl"), encoding: .utf8)) ?? ""
        #expect(dead.isEmpty, "\(dead)")
        let stderr = try String(contentsOf: dir.appendingPathComponent("stderr.txt"), encoding: .utf8)
        #expect(stderr.contains("warning: logs/a.log.4.gz: compressed, so not followed"), "\(stderr)")
        #expect(stderr.contains("7 lines read = 7 in 7 records + 0 dead-lettered"), "\(stderr)")
    }

    /// A live file named like a rotation (`a.log.2026` beside `a.log`) made while following is taken for one of
    /// `a.log`'s, unless it is named as it is (README's advice): a path named is followed from the first look, as a
    /// file of its own, even before it is there.
    @Test func aLiveFileNamedLikeARotationAndNamedAsItIsIsFollowed() throws {
        let (dir, logs) = try logsDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        append("a.log", 0..<3, in: logs)
        let p = try follow(["logs", "logs/a.log.2026"], in: dir)
        wait(for: 3, in: dir)
        append("a.log.2026", 0..<2, in: logs)
        wait(for: 5, in: dir)
        append("a.log.2026", 2..<3, in: logs)
        wait(for: 6, in: dir)
        p.terminate()
        p.waitUntilExit()
        let expected = (0..<3).map { "a.log-\($0)" } + (0..<3).map { "a.log.2026-\($0)" }
        #expect(ids.requestIDs(dir).sorted() == expected.sorted())
    }
}

extension FollowRotatedNamesTests {
    /// logrotate's `compress` + `delaycompress`, run twice while a checkpointed follower is down: the file it
    /// committed in is compressed and deleted (the path's new file may take its inode), and the generation after
    /// it is left plain under `a.log.1`. That generation is read, then the path's file; what the committed file
    /// held past the commit is lost with it (compressed before it was read). Before, the generation under
    /// `a.log.1` was lost too (helper-78: 10 lines of 55).
    @Test(arguments: ["logs/*.log", "logs"])
    func theGenerationLeftPlainAfterTheCommittedFileWasCompressedIsRead(target: String) throws {
        let (dir, logs) = try logsDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func start() throws -> Process { try follow([target, "--checkpoint", "state"], in: dir) }
        append("a.log", 0..<3, in: logs)
        let first = try start()
        wait(for: 3, in: dir)
        first.terminate()
        first.waitUntilExit()
        usleep(50_000)
        append("a.log", 3..<5, in: logs)
        rename(logs.path + "/a.log", logs.path + "/a.log.1")
        append("a.log", 5..<7, in: logs)
        usleep(20_000)
        try Data([0x1f, 0x8b, 0x08, 0x00]).write(to: logs.appendingPathComponent("a.log.2.gz"))
        unlink(logs.path + "/a.log.1")
        rename(logs.path + "/a.log", logs.path + "/a.log.1")
        append("a.log", 7..<8, in: logs)
        let second = try start()
        wait(for: 6, in: dir)
        second.terminate()
        second.waitUntilExit()
        #expect(ids.requestIDs(dir).sorted() == [0, 1, 2, 5, 6, 7].map { "a.log-\($0)" })
    }
}

extension FollowRotatedNamesTests {
    /// Two rename rotations a moment apart, the program reopening its log late each time: the second renamed
    /// file, found after the first was read on, is read on too while the program still writes to it. Before,
    /// the reader went on to the path's new file as soon as it had read it (a new-user trial: 20 and 29 lines lost
    /// with `rotate 2` and the program reopening 0.3 s late, no kill).
    @Test(arguments: ["logs", "logs/*.log"])
    func aFileRenamedAwayWhileTheOneBeforeWasReadOnIsReadOnToo(target: String) throws {
        let (dir, logs) = try logsDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = open(logs.path + "/a.log", O_WRONLY | O_APPEND | O_CREAT, 0o644)
        defer { close(first) }
        write(first, 0..<3)
        let p = try follow([target], in: dir)
        wait(for: 3, in: dir)
        rename(logs.path + "/a.log", logs.path + "/a.log.1")
        let second = open(logs.path + "/a.log", O_WRONLY | O_APPEND | O_CREAT, 0o644)
        defer { close(second) }
        write(second, 3..<4)
        // The next rotation while the reader still reads on the first file (a second from when it saw the rename).
        usleep(300_000)
        rename(logs.path + "/a.log.1", logs.path + "/a.log.2")
        rename(logs.path + "/a.log", logs.path + "/a.log.1")
        let third = open(logs.path + "/a.log", O_WRONLY | O_APPEND | O_CREAT, 0o644)
        defer { close(third) }
        // The program writes to the second file after the reader has left the first and read the second to its end.
        usleep(1_500_000)
        write(second, 4..<5)
        usleep(200_000)
        write(third, 5..<6)
        wait(for: 6, in: dir)
        p.terminate()
        p.waitUntilExit()
        #expect(ids.requestIDs(dir).sorted() == (0..<6).map { "a.log-\($0)" })
    }
}
