import Foundation
import Testing

@testable import AuditPipe

#if canImport(Glibc)
    import Glibc
#endif

/// Copy-truncate rotations (logrotate's `copytruncate`) the reader, or the whole follower, did not see as they
/// happened: the path copy-truncated twice before it looked, or written past the old offset again.
struct FollowCopyTruncateTests {
    /// What logrotate's `copytruncate` does: the older copies move up a number (`.1` to `.2`), the path is copied
    /// to `.1` (last written at `modified`, seconds since the epoch), then cut to nothing. Without `modified` the
    /// copy keeps its real write time, and the call waits 20 ms after, so what is written next is later by the clock.
    static func copyTruncate(_ path: String, modified: Int? = nil) throws {
        for k in stride(from: 8, through: 1, by: -1) { rename("\(path).\(k)", "\(path).\(k + 1)") }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.write(to: URL(fileURLWithPath: path + ".1"))
        if let modified {
            var times = [timespec(tv_sec: modified, tv_nsec: 0), timespec(tv_sec: modified, tv_nsec: 0)]
            utimensat(AT_FDCWD, path + ".1", &times, 0)
        }
        truncate(path, 0)
        if modified == nil { usleep(20_000) }
    }

    static func source(_ path: String, pending: [FollowSource.Start] = []) -> FollowSource {
        FollowSource(
            path: path, input: 0, pending: pending, cumulative: 0, control: RunControl(), progress: FollowProgress())
    }

    /// Copy-truncated twice before the reader looked: the rest of the first copy, then all of the second, then
    /// the path. Before, the second copy was never read.
    @Test func twoCopyTruncatesBeforeTheReaderLookedLoseNothing() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        FollowRotationTests.append("a 1\na 2\n", to: path)
        var source = Self.source(path)
        #expect(try FollowSourceSuspendTests.drain(&source) == "a 1\na 2\n")
        FollowRotationTests.append("a 3\n", to: path)
        try Self.copyTruncate(path, modified: 1_000)
        FollowRotationTests.append("b 1\n", to: path)
        try Self.copyTruncate(path, modified: 2_000)
        FollowRotationTests.append("c 1\n", to: path)
        #expect(try FollowSourceSuspendTests.drain(&source) == "a 3\nb 1\nc 1\n")
    }

    /// A restart's pending files as a kill differential's trace showed them (CI94's failure): the committed offset
    /// in the first generation, then a checkpoint's later entries, the copy of the third generation (named by its
    /// identity under the path's name) and the path as it was when it held that third generation. Copy-truncated
    /// since, the path's later entry was taken for copy-truncated while the follower was down, and the copy that
    /// starts as it did, the one just read, was read again (5,208 bytes twice). Each generation is read once.
    @Test func theCopyOfALaterEntryReadAlreadyIsNotReadAgain() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        func generation(_ g: Int) -> String {
            (0..<10).map { "{\"gen\":\(g),\"line\":\($0),\"pad\":\"\(String(repeating: "x", count: 20))\"}\n" }.joined()
        }
        FollowRotationTests.append(generation(1), to: path)
        let first = try #require(FileIdentity.of(path: path))
        let committed = Int64(generation(1).utf8.count / 2)
        try Self.copyTruncate(path, modified: 1_000)
        FollowRotationTests.append(generation(2), to: path)
        try Self.copyTruncate(path, modified: 2_000)
        FollowRotationTests.append(generation(3), to: path)
        let third = try #require(FileIdentity.of(path: path))
        try Self.copyTruncate(path, modified: 3_000)
        let copyOfThird = try #require(FileIdentity.of(path: path + ".1"))
        FollowRotationTests.append(generation(4), to: path)
        var source = Self.source(
            path,
            pending: [
                FollowSource.Start(path: path, offset: committed, identity: first),
                FollowSource.Start(path: path, offset: 0, identity: copyOfThird),
                FollowSource.Start(path: path, offset: 0, identity: third),
            ])
        let expected = String(generation(1).dropFirst(Int(committed))) + generation(2) + generation(3) + generation(4)
        #expect(try FollowSourceSuspendTests.drain(&source) == expected)
    }

    /// Lines that all begin with the same 300 bytes (static context fields first): every generation of the
    /// file has the same head, so only the bytes before the offset read tell a copy-truncate written past that
    /// offset from the same file grown (a new-user trial: the reader went on mid-line in the new content and lost
    /// what lay before). `copies` copy-truncates happen while the reader does not look (a stopped process); the
    /// rest of the old content, each copy's, then the path's are read, each once; also with the descriptor given
    /// back meanwhile (the open-file budget), the file then reopened by path, identity and offset.
    @Test(arguments: [(1, false), (2, false), (1, true), (2, true)])
    func copyTruncatesOfFilesThatAllStartAlikeAreFollowed(copies: Int, suspended: Bool) throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        let prefix = "{\"host\":\"" + String(repeating: "h", count: 300) + "\","
        func lines(_ ids: Range<Int>) -> String { ids.map { prefix + "\"request_id\":\"r-\($0)\"}\n" }.joined() }
        FollowRotationTests.append(lines(0..<10), to: path)
        var source = Self.source(path)
        #expect(try FollowSourceSuspendTests.drain(&source) == lines(0..<10))
        if suspended {
            let gaveBack = source.suspend()
            #expect(gaveBack)
        }
        FollowRotationTests.append(lines(10..<12), to: path)
        var next = 12
        for k in 0..<copies {
            try Self.copyTruncate(path, modified: 1_000 + k)
            // Past the old offset (ten lines) before the reader looks.
            FollowRotationTests.append(lines(next..<next + 20), to: path)
            next += 20
        }
        #expect(try FollowSourceSuspendTests.drain(&source) == lines(10..<next))
    }

    /// The bytes a checkpoint saved before its offset only prefer a copy: saved from the file after it was
    /// copy-truncated and written again (a commit racing the rotation), they match no copy, and the copy that
    /// starts as the file did is read, as without them. A stress run (four kills a second) lost 25 lines when they
    /// ruled that copy out.
    @Test func savedBytesThatNoCopyHoldsDoNotRuleTheCopyOut() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        FollowRotationTests.append("a 1\na 2\n", to: path)
        let committed = try #require(FileIdentity.of(path: path))
        try Self.copyTruncate(path, modified: 1_000)
        FollowRotationTests.append("b 1\n", to: path)
        var resumed = Self.source(
            path, pending: [FollowSource.Start(path: path, offset: 4, identity: committed, tail: Array("b 1\n".utf8))])
        #expect(try FollowSourceSuspendTests.drain(&resumed) == "a 2\nb 1\n")
    }

    /// Copy-truncated and written past the old offset before the reader looked (its size never shrank in the
    /// reader's eyes): the new content is read from its start, not from the old offset.
    @Test func aPathWrittenPastTheOldOffsetAfterATruncationIsReadFromItsStart() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        FollowRotationTests.append("a 1\n", to: path)
        var source = Self.source(path)
        #expect(try FollowSourceSuspendTests.drain(&source) == "a 1\n")
        FollowRotationTests.append("a 2\n", to: path)
        try Self.copyTruncate(path, modified: 1_000)
        FollowRotationTests.append("b 1, a line longer than what was read before\nb 2\n", to: path)
        #expect(
            try FollowSourceSuspendTests.drain(&source) == "a 2\nb 1, a line longer than what was read before\nb 2\n")
    }

    /// Copy-truncates the reader saw one at a time: each copy's rest is read once, an older copy never again.
    @Test func copyTruncatesSeenOneAtATimeReadEachLineOnce() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        var source = Self.source(path)
        var expected = ""
        var read = ""
        for round in 0..<5 {
            FollowRotationTests.append("round \(round) line 1\n", to: path)
            read += try FollowSourceSuspendTests.drain(&source)
            FollowRotationTests.append("round \(round) line 2\n", to: path)
            try Self.copyTruncate(path, modified: 1_000 + round)
            read += try FollowSourceSuspendTests.drain(&source)
            expected += "round \(round) line 1\nround \(round) line 2\n"
        }
        #expect(read == expected)
    }

    /// A follower killed with its commit in the path's first content, and the path copy-truncated twice while it
    /// was down: the resumed reader reads the rest of the first copy, the second copy, then the path.
    @Test func aFollowerDownAcrossTwoCopyTruncatesReadsBothCopies() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        FollowRotationTests.append("a 1\na 2\n", to: path)
        let committed = try #require(FileIdentity.of(path: path))
        try Self.copyTruncate(path, modified: 1_000)
        FollowRotationTests.append("b 1\n", to: path)
        try Self.copyTruncate(path, modified: 2_000)
        FollowRotationTests.append("c 1\n", to: path)
        var resumed = Self.source(path, pending: [FollowSource.Start(path: path, offset: 4, identity: committed)])
        #expect(try FollowSourceSuspendTests.drain(&resumed) == "a 2\nb 1\nc 1\n")
    }

    /// The same with the commit in the first copy (the reader was reading it when the follower was killed), the
    /// path copy-truncated once more meanwhile: the copy (renamed `.2` now) from the offset, then the rest.
    @Test func aCommitInACopyResumesThereAndReadsTheCopiesAfterIt() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        FollowRotationTests.append("a 1\na 2\n", to: path)
        try Self.copyTruncate(path, modified: 1_000)
        let copy = try #require(FileIdentity.of(path: path + ".1"))
        FollowRotationTests.append("b 1\n", to: path)
        let second = try #require(FileIdentity.of(path: path))
        try Self.copyTruncate(path, modified: 2_000)
        FollowRotationTests.append("c 1\n", to: path)
        var resumed = Self.source(
            path,
            pending: [
                FollowSource.Start(path: path, offset: 4, identity: copy),
                FollowSource.Start(path: path, offset: 0, identity: second),
            ])
        #expect(try FollowSourceSuspendTests.drain(&resumed) == "a 2\nb 1\nc 1\n")
    }

    /// Copy-truncated again while nearly empty (too short for its first bytes to tell): the newer copy is read.
    @Test func aShortPathCopyTruncatedAgainIsFoundByItsNewerCopy() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        FollowRotationTests.append("a 1\n", to: path)
        var source = Self.source(path)
        #expect(try FollowSourceSuspendTests.drain(&source) == "a 1\n")
        FollowRotationTests.append("a 2\n", to: path)
        try Self.copyTruncate(path, modified: 1_000)
        #expect(try FollowSourceSuspendTests.drain(&source) == "a 2\n")
        FollowRotationTests.append("b 1\n", to: path)
        try Self.copyTruncate(path, modified: 2_000)
        FollowRotationTests.append("c 1\n", to: path)
        #expect(try FollowSourceSuspendTests.drain(&source) == "b 1\nc 1\n")
    }

    /// Copy-truncated again while the reader was still in the copy of the time before: what the path held in
    /// between is read from the newer copy before the path.
    @Test func aCopyTruncateWhileReadingTheCopyBeforeLosesNothing() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        FollowRotationTests.append("a 1\n", to: path)
        var source = Self.source(path)
        #expect(try FollowSourceSuspendTests.drain(&source) == "a 1\n")
        FollowRotationTests.append("a 2 and more\na 3\n", to: path)
        try Self.copyTruncate(path, modified: 1_000)
        FollowRotationTests.append("b 1\n", to: path)
        var bytes: [UInt8] = []
        let waits = source.wouldBlock()
        #expect(!waits)
        _ = try source.read(into: &bytes, max: 4)
        #expect(String(decoding: bytes, as: UTF8.self) == "a 2 ")
        try Self.copyTruncate(path, modified: 2_000)
        FollowRotationTests.append("c 1\n", to: path)
        #expect(try FollowSourceSuspendTests.drain(&source) == "and more\na 3\nb 1\nc 1\n")
    }

    /// A file the follower knew only empty (pinned so, then killed, or found so and not opened yet), written and
    /// copy-truncated before it was read: the copy made since is read, then the path. The pin notes when, the
    /// checkpoint keeps it, and the resume start carries it.
    @Test func aFileKnownOnlyEmptyAndCopyTruncatedSinceIsReadFromItsCopy() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        FollowRotationTests.append("", to: path)
        var checkpoint = Checkpoint()
        FollowedFiles(patterns: [path]).pin(into: &checkpoint)
        let since = try #require(checkpoint.entries[path]?.emptySince)
        try checkpoint.save(in: dir.path)
        let loaded = try Checkpoint.load(from: dir.path)
        #expect(loaded.entries[path]?.emptySince == since)
        FollowRotationTests.append("a 1\n", to: path)
        try Self.copyTruncate(path, modified: Int(since / 1_000_000_000) + 1)
        FollowRotationTests.append("b 1\n", to: path)
        let start = FollowedFiles.start(path: path, checkpoint: loaded, files: FollowProgress())
        #expect(start.files.first?.copiedSince == since)
        var resumed = Self.source(path, pending: start.files)
        #expect(try FollowSourceSuspendTests.drain(&resumed) == "a 1\nb 1\n")
    }

    /// The same file opened while still empty (the reader got to it first), then written and copy-truncated before
    /// the reader read a byte (a loaded machine): the copy holds those lines. Before, the reader had no copy to look
    /// for copies after and no first bytes to miss, and read on at the path: the copy's lines were lost (the 60-file
    /// copy-truncate kill test lost 13 lines in a CI run). With `sameTime`, the file's modification time is left
    /// as it was at the open (all within one tick of a coarse file-system clock, or the time read after the writes:
    /// the process stopped right after its open); the bytes at the path tell it was written. Before, the reader
    /// compared times only and read the path alone.
    @Test(arguments: [(false, false), (true, false), (true, true)])
    func aFileOpenedEmptyAndCopyTruncatedBeforeItsFirstReadIsReadFromItsCopy(writtenAfter: Bool, sameTime: Bool)
        throws
    {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        FollowRotationTests.append("", to: path)
        var checkpoint = Checkpoint()
        FollowedFiles(patterns: [path]).pin(into: &checkpoint)
        let start = FollowedFiles.start(path: path, checkpoint: checkpoint, files: FollowProgress())
        var source = Self.source(path, pending: start.files)
        // Opened, empty: nothing to read yet.
        let waits = source.wouldBlock()
        #expect(waits)
        var opened = stat()
        #expect(stat(path, &opened) == 0)
        usleep(20_000)
        FollowRotationTests.append("a 1\na 2\n", to: path)
        try Self.copyTruncate(path)
        if writtenAfter { FollowRotationTests.append("b 1\n", to: path) }
        if sameTime {
            var times = [opened.st_atim, opened.st_mtim]
            #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        }
        #expect(try FollowSourceSuspendTests.drain(&source) == (writtenAfter ? "a 1\na 2\nb 1\n" : "a 1\na 2\n"))
        FollowRotationTests.append("c 1\n", to: path)
        #expect(try FollowSourceSuspendTests.drain(&source) == "c 1\n")
    }

    /// A file opened empty, then written, and the reader's first look falls between a copy-truncate's copy and its
    /// truncate (`copytruncate` copies first): the path still holds the copy's bytes, so it is read, once; the
    /// truncate after is followed as any. Before, the copy was read, then the path from its start: its lines twice
    /// (2 of 27, then 1 of 55, loaded runs of the SIGSTOP test, whose stop lands a moment after `kill` returns).
    @Test(arguments: [false, true])
    func aLookBetweenACopyAndItsTruncateReadsTheLinesOnce(copyPartly: Bool) throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        FollowRotationTests.append("", to: path)
        var checkpoint = Checkpoint()
        FollowedFiles(patterns: [path]).pin(into: &checkpoint)
        let start = FollowedFiles.start(path: path, checkpoint: checkpoint, files: FollowProgress())
        var source = Self.source(path, pending: start.files)
        let waits = source.wouldBlock()
        #expect(waits)
        usleep(20_000)
        FollowRotationTests.append("a 1\na 2\n", to: path)
        // The copy made (whole, or still being written), the path not truncated yet.
        FollowRotationTests.append(copyPartly ? "a 1\n" : "a 1\na 2\n", to: path + ".1")
        #expect(try FollowSourceSuspendTests.drain(&source) == "a 1\na 2\n")
        if copyPartly { FollowRotationTests.append("a 2\n", to: path + ".1") }
        truncate(path, 0)
        usleep(20_000)
        FollowRotationTests.append("b 1\n", to: path)
        #expect(try FollowSourceSuspendTests.drain(&source) == "b 1\n")
    }

    /// From a new-user trial (1–2 line generations copy-truncated with `cp` then `truncate -s 0`, no signals: 5 of
    /// 5 runs read lines twice; `logrotate -f` 3 of 7): a file copy-truncated before, whose first bytes are too few
    /// to tell a truncate, looked between the next copy and its truncate. The path still holds the copy's bytes: it
    /// is not truncated yet, and nothing is read again. Before, the reader took the new copy for a truncate and read
    /// the copy from its offset, then the path (untruncated) from its start: its lines twice.
    @Test func aShortFileLookedAtBetweenItsNextCopyAndTruncateIsNotReadAgain() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        FollowRotationTests.append("a 1\n", to: path)
        var source = Self.source(path)
        #expect(try FollowSourceSuspendTests.drain(&source) == "a 1\n")
        usleep(20_000)
        try Self.copyTruncate(path)
        FollowRotationTests.append("b 1\n", to: path)
        #expect(try FollowSourceSuspendTests.drain(&source) == "b 1\n")
        usleep(20_000)
        // The next copy, and a look before its truncate.
        rename(path + ".1", path + ".2")
        FollowRotationTests.append("b 1\n", to: path + ".1")
        #expect(try FollowSourceSuspendTests.drain(&source) == "")
        truncate(path, 0)
        usleep(20_000)
        FollowRotationTests.append("c 1\n", to: path)
        #expect(try FollowSourceSuspendTests.drain(&source) == "c 1\n")
    }

    /// From a new-user trial (every line starts with the same 300 bytes; kills across copy-truncates lost whole
    /// generations): a resume whose commit names a copy at its offset, a later copy, then the path, which was
    /// copy-truncated again since the commit. Its first bytes are those of every generation, so they cannot tell;
    /// the copies made after the later copy hold what the path held meanwhile and are read before it.
    @Test func aPathWhoseGenerationsStartAlikeHasItsCopiesSinceACommitRead() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        let prefix = String(repeating: "P", count: 300)
        FollowRotationTests.append("\(prefix) a1\n\(prefix) a2\n", to: path)
        let offset = Int64(prefix.utf8.count + 4)
        let origin = try #require(FileIdentity.of(path: path))
        let tail = try #require(FollowSource.bytes(before: offset, in: origin, path: path))
        usleep(20_000)
        try Self.copyTruncate(path)
        let copyA = try #require(FileIdentity.of(path: path + ".1"))
        FollowRotationTests.append("\(prefix) b1\n", to: path)
        usleep(20_000)
        try Self.copyTruncate(path)
        let copyB = try #require(FileIdentity.of(path: path + ".1"))
        FollowRotationTests.append("\(prefix) c1\n", to: path)
        let named = try #require(FileIdentity.of(path: path))
        usleep(20_000)
        try Self.copyTruncate(path)
        FollowRotationTests.append("\(prefix) d1\n", to: path)
        var first = FollowSource.Start(path: path, offset: offset, identity: copyA)
        first.tail = tail
        var resumed = Self.source(
            path,
            pending: [
                first, FollowSource.Start(path: path, offset: 0, identity: copyB),
                FollowSource.Start(path: path, offset: 0, identity: named),
            ])
        let read = try FollowSourceSuspendTests.drain(&resumed).split(separator: "\n").map { $0.suffix(2) }
        #expect(read == ["a2", "b1", "c1", "d1"])
    }

    /// A commit at the start of the path, read after a copy of it, nothing of it taken, every generation starting
    /// alike: copy-truncated twice before the restart, the path still starts as it did, so its first bytes cannot
    /// tell. The copies made after the one read before are read first (`Start.copiedAfter`, saved by the commit);
    /// before, the restart read the path from its start and both copies were lost (a kill trial: 68 lines).
    @Test func aCommitAtThePathsStartAfterACopyHasTheCopiesMadeSinceRead() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        let prefix = String(repeating: "P", count: 300)
        FollowRotationTests.append("\(prefix) a1\n", to: path)
        usleep(20_000)
        try Self.copyTruncate(path)
        let read = RotatedSiblings.Sibling(
            path: path + ".1", identity: try #require(FileIdentity.of(path: path + ".1")),
            modified: try #require(RotatedSiblings.modified(path + ".1")))
        FollowRotationTests.append("\(prefix) b1\n", to: path)
        let named = try #require(FileIdentity.of(path: path))
        usleep(20_000)
        try Self.copyTruncate(path)
        FollowRotationTests.append("\(prefix) c1\n", to: path)
        usleep(20_000)
        try Self.copyTruncate(path)
        FollowRotationTests.append("\(prefix) d1\n", to: path)
        var first = FollowSource.Start(path: path, offset: 0, identity: named)
        (first.copiedSince, first.copiedAfter) = (read.modified, read.identity)
        var resumed = Self.source(path, pending: [first])
        let lines = try FollowSourceSuspendTests.drain(&resumed).split(separator: "\n").map { $0.suffix(2) }
        #expect(lines == ["b1", "c1", "d1"])
    }

    /// The bytes a commit saves before its offset in the path (`tail`) when the path was copy-truncated and written
    /// past that offset since the reader read it, every generation starting alike: read from the copy that holds
    /// what the reader read last (its mark), not from the path, whose bytes there are another generation's (saved,
    /// a restart took the path for the file read and skipped the copy: 158 lines lost in a kill trial). With the
    /// path cut short and no copy holding the mark, nil: the committer keeps what it knew.
    @Test(arguments: [false, true])
    func aCommitAfterACopyTruncateSavesTheBytesReadNotThePathsNewOnes(rewrittenPast: Bool) throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        let prefix = String(repeating: "P", count: 300)
        FollowRotationTests.append("\(prefix) a1\n\(prefix) a2\n\(prefix) a3\n", to: path)
        let identity = try #require(FileIdentity.of(path: path))
        let line = Int64(prefix.utf8.count + 4)
        let read = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let mark = ReadMark(offset: 3 * line, bytes: Array(read.suffix(FollowSource.tailSpan)))
        let expected = Array(read[Int(2 * line) - FollowSource.tailSpan..<Int(2 * line)])
        #expect(FollowSource.bytes(before: 2 * line, in: identity, path: path, mark: mark) == expected)
        try Self.copyTruncate(path)
        FollowRotationTests.append(
            rewrittenPast ? "\(prefix) b1\n\(prefix) b2\n\(prefix) b3\n\(prefix) b4\n" : "\(prefix) b1\n", to: path)
        #expect(FollowSource.bytes(before: 2 * line, in: identity, path: path, mark: mark) == expected)
        try FileManager.default.removeItem(atPath: path + ".1")
        #expect(FollowSource.bytes(before: 2 * line, in: identity, path: path, mark: mark) == nil)
    }

    /// A new path's start as `FollowedFiles.start` gives it when the path was found empty and copy-truncated after
    /// following began (its rotations since then, read first, then the path known empty since before the copy):
    /// the copy is read once. The known-empty time is taken before the file is looked at, so it is older than the
    /// copy; before the source counted copies after the one it had just read, it read that copy twice.
    @Test func aCopyReadAsARotationBeforeThePathKnownEmptyIsNotReadAgain() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        FollowRotationTests.append("", to: path)
        let since = UTCTime.now()
        let empty = try #require(FileIdentity.of(path: path))
        usleep(20_000)
        FollowRotationTests.append("a 1\na 2\n", to: path)
        try Self.copyTruncate(path)
        FollowRotationTests.append("b 1\n", to: path)
        let copy = try #require(FileIdentity.of(path: path + ".1"))
        var known = FollowSource.Start(path: path, offset: 0, identity: empty)
        known.copiedSince = since
        var source = Self.source(path, pending: [FollowSource.Start(path: path, offset: 0, identity: copy), known])
        #expect(try FollowSourceSuspendTests.drain(&source) == "a 1\na 2\nb 1\n")
    }

    /// A commit that names the path while it was empty (a copy-truncate's fresh start) and then the copy made of
    /// it: the resume reads that copy, then the path once. Before, the path was read, then the copy, then the
    /// path again.
    @Test func aLaterEntryForThePathWhileEmptyDoesNotReadThePathTwice() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        FollowRotationTests.append("", to: path)
        let empty = try #require(FileIdentity.of(path: path))
        try Self.copyTruncate(path, modified: 1_000)
        let copy = try #require(FileIdentity.of(path: path + ".1"))
        FollowRotationTests.append("c 1\n", to: path)
        var resumed = Self.source(
            path,
            pending: [
                FollowSource.Start(path: path, offset: 0, identity: empty),
                FollowSource.Start(path: path, offset: 0, identity: copy),
            ])
        #expect(try FollowSourceSuspendTests.drain(&resumed) == "c 1\n")
    }

    /// From the 60-file kill test (a 3-line copy lost): a commit in a copy that names the path, then empty, as
    /// the file after it; the path written and copy-truncated again before the restart. The resume reads the rest
    /// of the first copy, the newer copy, then the path. Before, the newer copy was skipped.
    @Test func aLaterEntryForThePathWhileEmptyStillHasTheCopiesMadeSinceRead() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        FollowRotationTests.append("a 1\na 2\n", to: path)
        try Self.copyTruncate(path, modified: 1_000)
        let copy = try #require(FileIdentity.of(path: path + ".1"))
        let empty = try #require(FileIdentity.of(path: path))
        #expect(empty.fingerprintLength == 0)
        FollowRotationTests.append("b 1\n", to: path)
        try Self.copyTruncate(path, modified: 2_000)
        FollowRotationTests.append("c 1\n", to: path)
        var resumed = Self.source(
            path,
            pending: [
                FollowSource.Start(path: path, offset: 4, identity: copy),
                FollowSource.Start(path: path, offset: 0, identity: empty),
            ])
        #expect(try FollowSourceSuspendTests.drain(&resumed) == "a 2\nb 1\nc 1\n")
    }

    /// From a new-user trial that rotated one path both ways: copy-truncated after the commit, then renamed away
    /// (the inode the commit names now holds what came after the copy). The resume reads the rest of the copy,
    /// then the renamed file, then the path. Before, the renamed file was read from the committed offset, and the
    /// copy's rest was lost.
    @Test func aCopyTruncatedFileRenamedAwayIsReadFromItsCopy() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        FollowRotationTests.append("a 1\na 2\n", to: path)
        let committed = try #require(FileIdentity.of(path: path))
        try Self.copyTruncate(path, modified: 1_000)
        FollowRotationTests.append("b 1\nb 2\n", to: path)
        var times = [timespec(tv_sec: 2_000, tv_nsec: 0), timespec(tv_sec: 2_000, tv_nsec: 0)]
        utimensat(AT_FDCWD, path, &times, 0)
        rename(path + ".1", path + ".2")
        rename(path, path + ".1")
        FollowRotationTests.append("c 1\n", to: path)
        var resumed = Self.source(path, pending: [FollowSource.Start(path: path, offset: 4, identity: committed)])
        #expect(try FollowSourceSuspendTests.drain(&resumed) == "a 2\nb 1\nb 2\nc 1\n")
    }

    /// Copy-truncated three times within one clock tick (the copies share a modification time): they are read in
    /// the order they were made, told apart by their names (`.3` before `.2` before `.1`; a dateext sequence
    /// `-1` before `-2`), once each. Before, the copies after the first were skipped or read out of order.
    @Test(arguments: [false, true])
    func copyTruncatesInOneClockTickAreReadInTheOrderTheyWereMade(dateext: Bool) throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        FollowRotationTests.append("a 1\n", to: path)
        var source = Self.source(path)
        #expect(try FollowSourceSuspendTests.drain(&source) == "a 1\n")
        FollowRotationTests.append("a 2\n", to: path)
        for (k, next) in ["b 1\n", "c 1\n", "d 1\n"].enumerated() {
            if dateext {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
                try bytes.write(to: URL(fileURLWithPath: path + "-20261202-\(k + 1)"))
                var times = [timespec(tv_sec: 1_000, tv_nsec: 0), timespec(tv_sec: 1_000, tv_nsec: 0)]
                utimensat(AT_FDCWD, path + "-20261202-\(k + 1)", &times, 0)
                truncate(path, 0)
            } else {
                try Self.copyTruncate(path, modified: 1_000)
            }
            FollowRotationTests.append(next, to: path)
        }
        #expect(try FollowSourceSuspendTests.drain(&source) == "a 2\nb 1\nc 1\nd 1\n")
        // The same seen by a follower that was down: resumed from a commit after "a 1".
        let dir2 = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir2) }
        let path2 = dir2.appendingPathComponent("app.log").path
        FollowRotationTests.append("a 1\na 2\n", to: path2)
        let committed = try #require(FileIdentity.of(path: path2))
        for next in ["b 1\n", "c 1\n", "d 1\n"] {
            try Self.copyTruncate(path2, modified: 1_000)
            FollowRotationTests.append(next, to: path2)
        }
        var resumed = Self.source(path2, pending: [FollowSource.Start(path: path2, offset: 4, identity: committed)])
        #expect(try FollowSourceSuspendTests.drain(&resumed) == "a 2\nb 1\nc 1\nd 1\n")
    }

    /// A restart whose checkpoint names a copy as a later file (the reader went through it before the kill),
    /// after the committed file's own copy: that copy is read once, not again by the look for copies made since
    /// as the path is opened (the 50-file trial driver read a small copy twice).
    @Test func aCopyNamedAsALaterFileIsReadOnce() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        FollowRotationTests.append("a 1\na 2\n", to: path)
        let committed = try #require(FileIdentity.of(path: path))
        for (k, next) in ["b 1\n", "c 1\n"].enumerated() {
            let copy = path + "-20261202-\(k + 1)"
            try Data(contentsOf: URL(fileURLWithPath: path)).write(to: URL(fileURLWithPath: copy))
            var times = [timespec(tv_sec: 1_000 + k, tv_nsec: 0), timespec(tv_sec: 1_000 + k, tv_nsec: 0)]
            utimensat(AT_FDCWD, copy, &times, 0)
            truncate(path, 0)
            FollowRotationTests.append(next, to: path)
        }
        let second = try #require(FileIdentity.of(path: path + "-20261202-2"))
        var resumed = Self.source(
            path,
            pending: [
                FollowSource.Start(path: path, offset: 4, identity: committed),
                FollowSource.Start(path: path, offset: 0, identity: second),
            ])
        #expect(try FollowSourceSuspendTests.drain(&resumed) == "a 2\nb 1\nc 1\n")
    }

    /// From a stress run (rename and copy-truncate mixed, SIGKILLs): a resume whose later files are a path
    /// file that was copy-truncated and then renamed away, and the copy (named too: the restart's pin found it
    /// among the rotations after the committed file). The copy is read once, before the rest of the renamed file.
    /// Before, it was read there and again as the later file after it: its lines twice, and every offset after
    /// them shifted (the events' ids changed).
    @Test func aCopyChosenForALaterFileIsNotReadAgainAsALaterFile() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        FollowRotationTests.append("a 1\na 2\n", to: path)
        let committed = try #require(FileIdentity.of(path: path))
        rename(path, path + ".1")
        FollowRotationTests.append("b 1\n", to: path)
        let renamed = try #require(FileIdentity.of(path: path))
        // copytruncate (times as written: the copy after the committed file, the rest of the path after both).
        rename(path + ".1", path + ".2")
        try Data(contentsOf: URL(fileURLWithPath: path)).write(to: URL(fileURLWithPath: path + ".1"))
        truncate(path, 0)
        let copy = try #require(FileIdentity.of(path: path + ".1"))
        FollowRotationTests.append("b 2\n", to: path)
        for k in stride(from: 8, through: 1, by: -1) { rename("\(path).\(k)", "\(path).\(k + 1)") }
        rename(path, path + ".1")
        FollowRotationTests.append("c 1\n", to: path)
        let current = try #require(FileIdentity.of(path: path))
        var resumed = Self.source(
            path,
            pending: [
                FollowSource.Start(path: path, offset: 4, identity: committed),
                FollowSource.Start(path: path, offset: 0, identity: renamed),
                FollowSource.Start(path: path, offset: 0, identity: copy),
                FollowSource.Start(path: path, offset: 0, identity: current),
            ])
        #expect(try FollowSourceSuspendTests.drain(&resumed) == "a 2\nb 1\nb 2\nc 1\n")
    }

    /// From a stress run (rename and copy-truncate mixed): the committed file was copy-truncated and renamed away,
    /// and the later files still to read were a copy of the path and the path, copy-truncated again since. The
    /// copies after the committed file's own are read up to the first later file; the path's newer copies are
    /// read once, when the path is. Before, every copy after it went first, out of order, and the path's copy was
    /// read again when the path was (two lines twice); then its second copy (which does not start as the path did
    /// when it was named) was.
    @Test func copiesOfALaterFileAreReadWithItNotBeforeIt() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        FollowRotationTests.append("a 1\na 2\n", to: path)
        let committed = try #require(FileIdentity.of(path: path))
        usleep(20_000)
        try Self.copyTruncate(path)
        FollowRotationTests.append("b 1\n", to: path)
        usleep(20_000)
        for k in stride(from: 8, through: 1, by: -1) { rename("\(path).\(k)", "\(path).\(k + 1)") }
        rename(path, path + ".1")
        FollowRotationTests.append("c 1\n", to: path)
        usleep(20_000)
        try Self.copyTruncate(path)
        let copyOfPath = try #require(FileIdentity.of(path: path + ".1"))
        FollowRotationTests.append("d 1\n", to: path)
        let pathThen = try #require(FileIdentity.of(path: path))
        usleep(20_000)
        // The path copy-truncated twice since: its second copy does not start as the path did when named.
        try Self.copyTruncate(path)
        FollowRotationTests.append("e 1\n", to: path)
        usleep(20_000)
        try Self.copyTruncate(path)
        FollowRotationTests.append("f 1\n", to: path)
        var resumed = Self.source(
            path,
            pending: [
                FollowSource.Start(path: path, offset: 4, identity: committed),
                FollowSource.Start(path: path, offset: 0, identity: copyOfPath),
                FollowSource.Start(path: path, offset: 0, identity: pathThen),
            ])
        #expect(try FollowSourceSuspendTests.drain(&resumed) == "a 2\nb 1\nc 1\nd 1\ne 1\nf 1\n")
    }

    /// From a stress run (rename and copy-truncate mixed): a later file copy-truncated twice and then renamed away,
    /// its second copy a later file too. Its first copy, its second, the rest of it, then the path: in the order
    /// they were written, each once. Before this session the rest of it was read before its second copy (out of
    /// order); a first fix that read copies only up to a later file lost the rest of it.
    @Test func theRestOfALaterFileIsReadAfterItsCopies() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        FollowRotationTests.append("x 1\n", to: path)
        let first = try #require(FileIdentity.of(path: path))
        usleep(20_000)
        try Self.copyTruncate(path)
        FollowRotationTests.append("x 2\n", to: path)
        usleep(20_000)
        try Self.copyTruncate(path)
        let second = try #require(FileIdentity.of(path: path + ".1"))
        FollowRotationTests.append("x 3\n", to: path)
        usleep(20_000)
        for k in stride(from: 8, through: 1, by: -1) { rename("\(path).\(k)", "\(path).\(k + 1)") }
        rename(path, path + ".1")
        FollowRotationTests.append("y 1\n", to: path)
        let current = try #require(FileIdentity.of(path: path))
        var resumed = Self.source(
            path,
            pending: [
                FollowSource.Start(path: path, offset: 0, identity: first),
                FollowSource.Start(path: path, offset: 0, identity: second),
                FollowSource.Start(path: path, offset: 0, identity: current),
            ])
        #expect(try FollowSourceSuspendTests.drain(&resumed) == "x 1\nx 2\nx 3\ny 1\n")
    }
}
