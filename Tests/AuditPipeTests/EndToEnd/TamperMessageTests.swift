import Foundation
import Testing

/// The security messages of a tampered signed archive, from a new-user trial (helper-f7): the label (the first
/// word) says what was done, and the advice is a path that ends, not one that leads back to the same refusal.
struct TamperMessageTests {
    typealias Signed = SignedArchiveTests

    /// Runs the command an archive run's refusal names to put the archive's own head back (the copy kept beside
    /// the key); a refusal that names none fails the test.
    static func runHeadAdvice(in err: String, at dir: URL) throws {
        let command = try #require(
            err.range(
                of: "cp keys/auditpipe-signing.key.heads/[0-9a-f]+\\.json archive/head\\.json",
                options: .regularExpression), "\(err)")
        try Signed.sh(String(err[command]), in: dir)
    }

    /// An older head of the archive's own chain put back is "rolled back" even when it was written in the same
    /// second as the last one (the CLI's run times are whole seconds): it was called "replaced".
    @Test func aRollbackWithinOneSecondIsCalledRolledBack() throws {
        let dir = try Signed.signedArchive(days: 1...3)
        defer { try? FileManager.default.removeItem(at: dir) }
        var sameSecond = false
        for _ in 0..<5 where !sameSecond {
            // Two runs that archive nothing, early in one second, each write a head.
            Thread.sleep(forTimeInterval: 1 - Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 1) + 0.01)
            #expect(try Signed.archive(dir).0 == 0)
            try Signed.sh("cp archive/head.json old-head.json", in: dir)
            #expect(try Signed.archive(dir).0 == 0)
            let times = try Signed.sh("grep -ho '\"run_time\":\"[^\"]*\"' old-head.json archive/head.json", in: dir)
            sameSecond = Set(times.split(separator: "\n")).count == 1
        }
        try #require(sameSecond)
        try Signed.sh("cp old-head.json archive/head.json", in: dir)
        let (status, err) = try Signed.archive(dir)
        #expect(status == 4 && err.contains("archive/head.json: rolled back: the signed head"), "\(err)")
    }

    /// Another archive's head (the same key, the same last day) put in: verify and archive said "run archive
    /// again", and archive then refused the same way. The advice now ends: archive names the copy of this
    /// archive's last head kept beside the key, and that command makes the archive verify and archive again.
    @Test func anotherArchivesHeadGetsAdviceThatEnds() throws {
        let dir = try Signed.signedArchive(days: 1...4)
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try ArchiveTests.makeLive(dir, days: 1...4, perDay: 20, seed: 5)
        let (built, berr) = try ArchiveTests.run(
            ["archive", "--from", "live", "--to", "other", "--signing-key", "keys/auditpipe-signing.key", "-q"],
            in: dir)
        #expect(built == 0, "\(berr)")
        try Signed.sh("cp other/head.json archive/head.json", in: dir)
        let (verified, verr) = try Signed.verify(dir)
        #expect(verified == 4 && verr.contains("archive/head.json: chain end differs from the signed head"), "\(verr)")
        #expect(!verr.contains("run archive again"), "\(verr)")
        let (status, err) = try Signed.archive(dir)
        #expect(status == 4 && !err.contains("run archive again"), "\(err)")
        try Self.runHeadAdvice(in: err, at: dir)
        #expect(try Signed.verify(dir).0 == 0)
        #expect(try Signed.archive(dir).0 == 0)
    }

    /// An older head of the archive put back while its later days stay: verify cannot tell it from a run killed
    /// before its last head, and said only "run archive again" (helper-75), which archive then refused as a
    /// rollback. It now names both, and the archive run names the copy that puts the archive's own head back.
    @Test func anOlderHeadPutBackIsNotOnlyCalledAnUnfinishedRun() throws {
        let dir = try Signed.signedArchive(days: 1...3)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Signed.sh("cp archive/head.json old-head.json", in: dir)
        _ = try ArchiveTests.makeLive(dir, days: 4...4, perDay: 10, seed: 2)
        #expect(try Signed.archive(dir).0 == 0)
        try Signed.sh("cp old-head.json archive/head.json", in: dir)
        let (verified, verr) = try Signed.verify(dir)
        #expect(verified == 4 && verr.contains("archive/head.json: head behind: the signed head ends at 2026-11-03"))
        #expect(verr.contains("an archive run did not finish") && verr.contains("an older head.json was put back"))
        let (status, err) = try Signed.archive(dir)
        #expect(status == 4 && err.contains("archive/head.json: rolled back"), "\(err)")
        try Self.runHeadAdvice(in: err, at: dir)
        #expect(try Signed.verify(dir).0 == 0)
    }

    /// A head of another archive signed with the same key, written before this archive's last head, is not in
    /// this archive's chain: "replaced", not "rolled back" (it was labelled by its time).
    @Test func anOlderHeadOfAnotherArchiveIsCalledReplaced() throws {
        let dir = try Signed.signedArchive(days: 1...3)
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try ArchiveTests.makeLive(dir, days: 1...3, perDay: 20, seed: 5)
        #expect(
            try ArchiveTests.run(
                ["archive", "--from", "live", "--to", "other", "--signing-key", "keys/auditpipe-signing.key", "-q"],
                in: dir
            ).0 == 0)
        Thread.sleep(forTimeInterval: 1.1)
        #expect(try Signed.archive(dir).0 == 0)  // this archive's head is now the newer one
        try Signed.sh("rm -r archive && cp -a other archive && rm -r other", in: dir)
        let (status, err) = try Signed.archive(dir)
        #expect(status == 4 && err.contains("archive/head.json: replaced: the signed head does not follow"), "\(err)")
    }

    /// Each kind of tamper a user would try is named for what was done: a byte of a day's file edited, another
    /// day's file swapped in, a day's file edited and compressed again, a manifest's count edited (with keys and
    /// without). They were "corrupt gzip stream", "replaced", "truncated"/"extra bytes" and "count" on the file.
    @Test(arguments: [
        (
            "printf 'X' | dd of=archive/2026/11/02/events-2026-11-02.jsonl.gz bs=1 seek=100 conv=notrunc status=none",
            true, "archive/2026/11/02/events-2026-11-02.jsonl.gz: edited: "
        ),
        (
            "cd archive/2026/11 && mv 02/events-2026-11-02.jsonl.gz x && mv 03/events-2026-11-03.jsonl.gz 02/events-2026-11-02.jsonl.gz && mv x 03/events-2026-11-03.jsonl.gz",
            true, "archive/2026/11/02/events-2026-11-02.jsonl.gz: reordered: it holds the events of 2026-11-03"
        ),
        (
            "f=archive/2026/11/02/events-2026-11-02.jsonl.gz; zcat $f | sed 1d | gzip -n > x.gz && mv x.gz $f",
            true, "archive/2026/11/02/events-2026-11-02.jsonl.gz: edited: a whole gzip file of 2026-11-02's events"
        ),
        (
            "sed -i 's/\"events\":50/\"events\":51/' archive/2026/11/02/manifest.json", true,
            "archive/2026/11/02/manifest.json: bad signature"
        ),
        (
            "sed -i 's/\"events\":50/\"events\":51/' archive/2026/11/02/manifest.json", false,
            "archive/2026/11/02/manifest.json: edited: events is 51 but events-2026-11-02.jsonl.gz holds 50"
        ),
    ])
    func eachTamperIsNamedForWhatWasDone(script: String, withKey: Bool, expected: String) throws {
        let dir = try Signed.signedArchive(days: 1...4)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Signed.sh(script, in: dir)
        let (status, err) =
            withKey ? try Signed.verify(dir) : try ArchiveTests.run(["verify", "archive"], in: dir)
        #expect(status == 4 && err.contains(expected), "\(script): \(err)")
    }
}
