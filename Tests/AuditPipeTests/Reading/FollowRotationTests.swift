import Foundation
import Testing

@testable import AuditPipe

#if canImport(Glibc)
    import Glibc
#endif

/// Rotations a followed path goes through while its reader, or the whole follower, is not looking: the new
/// file a rotation leaves may be empty, and a path may be rotated again before a commit has seen its new file.
struct FollowRotationTests {
    /// Appends all of `text` (NUL bytes too) to `path`, creating it.
    static func append(_ text: String, to path: String) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n <= 0 { return }
            done += n
        }
    }

    /// A file found after the follower began and rotated (twice) before any commit named it (the life that found
    /// it was killed first): the next pin names its rotations since following began, oldest first, so its first
    /// lines are read. Before, the restart began with the path's current file and the rotated lines were lost.
    @Test func aPathNoCommitNamedHasItsRotationsSinceFollowingBeganReadFirst() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        let followed = FollowedFiles(patterns: [dir.path + "/*.log"])
        var checkpoint = Checkpoint()
        followed.pin(into: &checkpoint)
        #expect(checkpoint.entries.isEmpty && checkpoint.followingSince != nil)
        usleep(20_000)
        Self.append("a 1\n", to: path)
        rename(path, path + ".1")
        usleep(20_000)
        Self.append("b 1\n", to: path)
        rename(path, path + ".2")
        usleep(20_000)
        Self.append("c 1\n", to: path)
        followed.pin(into: &checkpoint)
        let start = FollowedFiles.start(path: path, checkpoint: checkpoint, files: FollowProgress())
        var resumed = FollowSourceSuspendTests.source(path)
        resumed = FollowSource(
            path: path, input: 0, pending: start.files, cumulative: 0, control: RunControl(), progress: FollowProgress()
        )
        #expect(try FollowSourceSuspendTests.drain(&resumed) == "a 1\nb 1\nc 1\n")
    }

    /// A file created after following began and rotated before the glob saw it (a loaded machine: the writer
    /// started after the follower's pin): the follower that finds it reads its rotations since following began
    /// first. Before, it began with the path's current file and the first lines were lost (the rename kill test
    /// lost a file's first 3 lines under load).
    @Test func aNewFileRotatedBeforeTheGlobSawItHasItsFirstLinesRead() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        var checkpoint = Checkpoint()
        FollowedFiles(patterns: [dir.path + "/*.log"]).pin(into: &checkpoint)
        usleep(20_000)
        Self.append("a 1\n", to: path)
        rename(path, path + ".1")
        Self.append("b 1\n", to: path)
        let start = FollowedFiles.start(path: path, checkpoint: checkpoint, files: FollowProgress())
        #expect(start.files.count == 2)
        var source = FollowSource(
            path: path, input: 0, pending: start.files, cumulative: 0, control: RunControl(), progress: FollowProgress()
        )
        #expect(try FollowSourceSuspendTests.drain(&source) == "a 1\nb 1\n")
    }

    /// A path rotated to a new, empty file: the reader finishes the old file and then says it would wait. It
    /// never reads "nothing" in a loop (that held a thread of the shared pool: with two such files every stage
    /// of a 300-file follower stopped), and an empty read is a pause, not the input's end.
    @Test func aRotationToAnEmptyFileIsAPauseNotAWaitOrAnEnd() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        Self.append("old 1\n", to: path)
        var source = FollowSourceSuspendTests.source(path)
        #expect(try FollowSourceSuspendTests.drain(&source) == "old 1\n")
        rename(path, path + ".1")
        Self.append("", to: path)
        let waits = source.wouldBlock()
        #expect(waits, "an empty new file has nothing to read")
        var bytes: [UInt8] = []
        let n = try source.read(into: &bytes, max: 4096)
        let ended = source.endedAtEmptyRead()
        #expect(n == 0 && !ended, "a followed file's empty read is a pause")
        Self.append("new 1\n", to: path)
        #expect(try FollowSourceSuspendTests.drain(&source) == "new 1\n")
    }

    /// The same through the framer: the batch after the rotation is an empty paused one, not the end of input.
    @Test func theFramerPausesAfterARotationToAnEmptyFile() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        Self.append("old 1\n", to: path)
        var source = FollowSourceSuspendTests.source(path)
        source.rotateWait = 0
        var framer = LineFramer(source: source, input: 0, maxLineBytes: 1 << 16)
        framer.keepsPartialAtEnd = true
        let first = try framer.nextBatch()
        #expect(first?.lines.count == 1)
        rename(path, path + ".1")
        Self.append("", to: path)
        let paused = try framer.nextBatch()
        #expect(paused != nil && paused?.lines.isEmpty == true && paused?.endsAtPause == true)
        #expect(!framer.atEnd)
        Self.append("new 1\n", to: path)
        let next = try framer.nextBatch()
        #expect(next?.lines.count == 1)
    }

    /// A commit names the files a rename rotation left after the committed one, and a resumed run reads them
    /// from their start before the path: the file in the middle of two rotations is not skipped.
    @Test func aFileBetweenTwoRotationsIsReadOnResume() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        Self.append("a 1\na 2\n", to: path)
        let progress = FollowProgress()
        var source = FollowSource(
            path: path, input: 0, pending: [], cumulative: 0, control: RunControl(), progress: progress)
        #expect(try FollowSourceSuspendTests.drain(&source) == "a 1\na 2\n")
        rename(path, path + ".1")
        Self.append("b 1\n", to: path)
        #expect(try FollowSourceSuspendTests.drain(&source) == "b 1\n")
        source.close()
        // Committed while the merge was still in the first file, after "a 1".
        let located = progress.locate(input: 0, position: 4)
        #expect(located?.offset == 4)
        #expect(located?.later.map(\.inode) == [FileIdentity.of(path: path)?.inode].compactMap { $0 })
        // The path is rotated again while the follower is down; a third file is written.
        rename(path, path + ".2")
        Self.append("c 1\n", to: path)
        let starts =
            [FollowSource.Start(path: path, offset: 4, identity: located?.identity)]
            + (located?.later ?? []).map { FollowSource.Start(path: path, offset: 0, identity: $0) }
        var resumed = FollowSource(
            path: path, input: 0, pending: starts, cumulative: 4, control: RunControl(), progress: FollowProgress())
        #expect(try FollowSourceSuspendTests.drain(&resumed) == "a 2\nb 1\nc 1\n")
    }

    /// From a new-user trial: a running reader that did not look (a loaded machine, a stopped process) while its
    /// path was renamed away twice, or three times: the files between the one it was reading and the path's new
    /// one are read, oldest first, before the path. Before, the reader finished its file and went on with the
    /// path, and the files between were lost (a whole file each, 371 lines in the trial).
    @Test(arguments: [2, 3])
    func filesRenamedAwayWhileTheReaderWasNotLookingAreRead(rotations: Int) throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        Self.append("a 1\n", to: path)
        var source = FollowSourceSuspendTests.source(path)
        #expect(try FollowSourceSuspendTests.drain(&source) == "a 1\n")
        Self.append("a 2\n", to: path)
        var expected = "a 2\n"
        for k in 1...rotations {
            for n in stride(from: k - 1, through: 1, by: -1) { rename("\(path).\(n)", "\(path).\(n + 1)") }
            rename(path, path + ".1")
            let line = "\(Character(UnicodeScalar(UInt8(ascii: "a") + UInt8(k)))) 1\n"
            Self.append(line, to: path)
            expected += line
        }
        #expect(try FollowSourceSuspendTests.drain(&source) == expected)
        // Each file once: the path's file read on, nothing again.
        Self.append("z 1\n", to: path)
        #expect(try FollowSourceSuspendTests.drain(&source) == "z 1\n")
    }

    /// A reader that did not look (it waited on the merge) while its file was renamed away, and deleted at the next
    /// rotation (`delaycompress` compressed it): the generation renamed to `app.log.1` after it is read, then the
    /// path. Before, with the file it was reading gone, the files after it were not looked for: a new-user trial's
    /// `compress` + `delaycompress` lost that generation whole.
    @Test func theGenerationAfterAFileDeletedWhileTheReaderWasNotLookingIsRead() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        Self.append("a 1\n", to: path)
        var source = FollowSourceSuspendTests.source(path)
        #expect(try FollowSourceSuspendTests.drain(&source) == "a 1\n")
        Self.append("a 2\n", to: path)
        // Written a clock tick later than the file before: rotated generations are ordered by that time.
        usleep(20_000)
        rename(path, path + ".1")
        Self.append("b 1\n", to: path)
        usleep(20_000)
        unlink(path + ".1")
        rename(path, path + ".1")
        Self.append("c 1\n", to: path)
        #expect(try FollowSourceSuspendTests.drain(&source) == "a 2\nb 1\nc 1\n")
        Self.append("z 1\n", to: path)
        #expect(try FollowSourceSuspendTests.drain(&source) == "z 1\n")
    }

    /// A later file that was deleted meanwhile is skipped, and the path is read once.
    @Test func aDeletedLaterFileIsSkippedAndThePathReadOnce() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        Self.append("a 1\n", to: path)
        let a = try #require(FileIdentity.of(path: path))
        rename(path, path + ".1")
        Self.append("b 1\n", to: path)
        let b = try #require(FileIdentity.of(path: path))
        rename(path, path + ".2")
        unlink(path + ".2")
        Self.append("c 1\n", to: path)
        var resumed = FollowSource(
            path: path, input: 0,
            pending: [
                FollowSource.Start(path: path, offset: 0, identity: a),
                FollowSource.Start(path: path, offset: 0, identity: b),
            ], cumulative: 0, control: RunControl(), progress: FollowProgress())
        #expect(try FollowSourceSuspendTests.drain(&resumed) == "a 1\nc 1\n")
    }

    /// A follower killed after its reader moved to a rotation's new file but before a commit named it, and the
    /// path rotated again while it was down: the restart finds the unseen file among the path's rotated names
    /// (written after the committed file) and reads it between the two; an older rotated file is not read.
    @Test func aRotationNoCommitSawIsFoundByItsNameAndTime() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        Self.append("old 1\n", to: path)
        rename(path, path + ".9")
        usleep(20_000)
        Self.append("a 1\na 2\n", to: path)
        var checkpoint = Checkpoint()
        let a = try #require(FileIdentity.of(path: path))
        checkpoint.entries[path] = Checkpoint.Entry(path: path, identity: a, fileOffset: 4, offset: 4, line: 2)
        usleep(20_000)
        rename(path, path + ".1")
        Self.append("b 1\n", to: path)
        usleep(20_000)
        rename(path, path + ".2")
        Self.append("c 1\n", to: path)
        FollowedFiles(patterns: [path]).pin(into: &checkpoint)
        let start = FollowedFiles.start(path: path, checkpoint: checkpoint, files: FollowProgress())
        var source = FollowSource(
            path: path, input: 0, pending: start.files, cumulative: 4, control: RunControl(),
            progress: FollowProgress())
        #expect(try FollowSourceSuspendTests.drain(&source) == "a 2\nb 1\nc 1\n")
    }

    /// A file the glob found is the file read first, even when it is renamed away (rotated) before its reader
    /// opens it: then the new file at the path.
    @Test func aNewFileRotatedBeforeItIsOpenedIsReadFirst() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("new.log").path
        Self.append("first 1\n", to: path)
        let start = FollowedFiles.start(path: path, checkpoint: Checkpoint(), files: FollowProgress())
        rename(path, path + ".1")
        Self.append("second 1\n", to: path)
        var source = FollowSource(
            path: path, input: 0, pending: start.files, cumulative: 0, control: RunControl(),
            progress: FollowProgress())
        #expect(try FollowSourceSuspendTests.drain(&source) == "first 1\nsecond 1\n")
    }

    /// The directories a followed run watches for new files: a glob's folder, a followed directory, a path's
    /// folder; not a folder with a wildcard in it.
    @Test func theDirectoriesWatchedForNewFiles() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let followed = FollowedFiles(patterns: [dir.path, "logs/*.log", "app.log", "/var/log/*/x.log", "/x.log"])
        #expect(followed.directories() == [dir.path, "logs", ".", "/"])
    }

    /// A follower that starts on a path rotated while it was down pins the new file as coming after the
    /// committed one before it reads anything, so being killed at once and a second rotation lose nothing.
    /// The run itself is the binary's: the kill right after the start-up pin is simulated by pinning and
    /// saving exactly as the follower does first, then rotating again, then running the follower.
    @Test func aSecondRotationRightAfterARestartLosesNothing() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let logs = dir.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let path = logs.appendingPathComponent("app.log").path
        let dump = try AuditPipeBinary.run(["demo", "--requests", "60", "--seed", "3"]).stdout
        let text = String(decoding: dump, as: UTF8.self)
        let lines: [String] = text.split(separator: "\n").map { String($0) + "\n" }
        let cut = [0, lines.count / 3, 2 * lines.count / 3, lines.count]
        let thirds: [String] = (0..<3).map { lines[cut[$0]..<cut[$0 + 1]].joined() }
        Self.append(thirds[0], to: path)
        let args = [
            "correlate", "--follow", logs.path + "/*.log", "--checkpoint", "state", "-o", "events.jsonl", "--stats",
            "stats.json", "--idle", "1s", "-q",
        ]
        try Self.runUntilQuiet(args, in: dir, lines: cut[1])
        // Down: rotated once; the new file is written.
        rename(path, path + ".1")
        Self.append(thirds[1], to: path)
        // The restarted follower's first step (pin and save), then a kill before it read anything.
        let state = dir.appendingPathComponent("state").path
        var checkpoint = try Checkpoint.load(from: state)
        FollowedFiles(patterns: [logs.path + "/*.log"]).pin(into: &checkpoint)
        try checkpoint.save(in: state)
        // Down again: rotated a second time.
        rename(path, path + ".2")
        Self.append(thirds[2], to: path)
        try Self.runUntilQuiet(args, in: dir, lines: lines.count)

        // Every line read once: the follower's counts (they add up across its runs) and the records in its
        // events are those of one batch run over the three files' bytes. (The events themselves differ: a request
        // cut by a quiet spell between two runs is two events live.)
        let batchLogs = dir.appendingPathComponent("batch/logs")
        try FileManager.default.createDirectory(at: batchLogs, withIntermediateDirectories: true)
        try Data(thirds.joined().utf8).write(to: batchLogs.appendingPathComponent("app.log"))
        let batch = try AuditPipeBinary.run(
            ["correlate", "logs/app.log", "-o", "events.jsonl", "--stats", "stats.json", "-q"],
            in: dir.appendingPathComponent("batch"))
        #expect(batch.status == 0)
        let followed = try Self.counts(in: dir)
        let expected = try Self.counts(in: dir.appendingPathComponent("batch"))
        #expect(expected.lines == lines.count && expected.records > 100)
        #expect(followed == expected, "followed \(followed), batch \(expected)")
    }

    /// Lines read (from the stats) and records in the events written.
    static func counts(in dir: URL) throws -> (lines: Int, records: Int) {
        let stats = try Data(contentsOf: dir.appendingPathComponent("stats.json"))
        let lines = (try JSONSerialization.jsonObject(with: stats) as? [String: Any])?["lines_read"] as? Int ?? -1
        var records = 0
        for line in FollowKillDifferentialTests.sortedLines(dir.appendingPathComponent("events.jsonl")) {
            let event = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            records += event?["records"] as? Int ?? 0
        }
        return (lines, records)
    }

    /// Runs a checkpointed follower until its checkpoint holds `lines` lines read and no open group (every
    /// input quiet), at most a minute, then stops it.
    static func runUntilQuiet(_ args: [String], in dir: URL, lines: Int) throws {
        let p = try AuditPipeBinary.start(args, in: dir)
        waitForCheckpoint(in: dir, lines: lines, beforeGivingUpAfter: 60)
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
    }

    /// Waits until `dir/state/checkpoint.json` holds `lines` lines read and no open group (every input quiet and
    /// every event written), or `seconds` passed.
    static func waitForCheckpoint(
        in dir: URL, lines: Int, beforeGivingUpAfter seconds: Int, savedAfter earlier: Date? = nil
    ) {
        let checkpoint = dir.appendingPathComponent("state/checkpoint.json").path
        for _ in 0..<(seconds * 4) {
            usleep(250_000)
            if let earlier, Self.checkpointSaved(in: dir).map({ $0 <= earlier }) ?? true { continue }
            let data = FileManager.default.contents(atPath: checkpoint) ?? Data()
            guard let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let inputs = obj["inputs"] as? [[String: Any]], let groups = obj["groups"] as? [Any]
            else { continue }
            let read = inputs.reduce(0) { $0 + (($1["lines_read"] as? Int) ?? 0) }
            // Nothing the merge still holds back either (a commit saves what it took and has not merged).
            let holding = inputs.contains { $0["pending"] != nil || $0["held"] != nil }
            if read >= lines && groups.isEmpty && !holding { return }
        }
    }

    /// When the checkpoint was last saved. A follower saves it as it starts (the pin), after its signal handler
    /// is in place: a test that stops a new life once everything is read waits for that first, or its SIGTERM
    /// may come while the process is still starting and end it by the default action, without stats.
    static func checkpointSaved(in dir: URL) -> Date? {
        let path = dir.appendingPathComponent("state/checkpoint.json").path
        return (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }
}
