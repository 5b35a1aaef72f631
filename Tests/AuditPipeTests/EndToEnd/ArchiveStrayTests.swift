import Foundation
import Testing

/// `verify` names whatever in an archive directory is not the archive's, wherever it is. From a new-user trial:
/// only a day's own version directory was looked in, so a file beside the days, a copy of a day's file in its
/// month, a month `13`, a version no day links to, or a day made a plain directory passed as "chain intact".
struct ArchiveStrayTests {
    @Test func whatIsNotTheArchivesIsExtraWhereverItIs() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try ArchiveTests.makeLive(dir, days: 1...3, perDay: 10)
        #expect(try ArchiveTests.run(["archive", "--from", "live", "--to", "archive", "-q"], in: dir).0 == 0)
        #expect(try ArchiveTests.run(["index", "archive", "-q"], in: dir).0 == 0)
        let clean = try ArchiveTests.run(["verify", "archive"], in: dir)
        #expect(clean.0 == 0, "\(clean.1)")
        let version = try ArchiveTests.shell("readlink archive/2026/11/02", in: dir).1
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(version.hasPrefix("02."), "\(version)")
        let cases: [(change: String, path: String, reason: String)] = [
            ("echo x > archive/stray.txt", "archive/stray.txt", "extra: not part of the archive"),
            ("echo x > archive/head.json.tmp", "archive/head.json.tmp", "extra: a file left by an archive run"),
            (
                "cp archive/2026/11/02/events-2026-11-02.jsonl.gz archive/2026/11/",
                "archive/2026/11/events-2026-11-02.jsonl.gz", "extra: not part of the archive"
            ),
            ("echo x > archive/2026/note", "archive/2026/note", "extra: not a month directory"),
            ("mkdir -p archive/2026/13", "archive/2026/13", "extra: not a month directory"),
            ("mkdir -p archive/1999x", "archive/1999x", "extra: not part of the archive"),
            (
                "cp -a archive/2026/11/\(version) archive/2026/11/02.aaaaaaaaaaaa", "archive/2026/11/02.aaaaaaaaaaaa",
                "extra: no day links to it"
            ),
            ("echo x > archive/2026/11/02.events.tmp", "archive/2026/11/02.events.tmp", "extra: no day links to it"),
            (
                "rm archive/2026/11/02 && cp -a archive/2026/11/\(version) archive/2026/11/02",
                "archive/2026/11/02", "extra: a day must be a link"
            ),
        ]
        for c in cases {
            #expect(try ArchiveTests.shell("cp -a archive pristine && \(c.change)", in: dir).0 == 0, "\(c.change)")
            let (status, err) = try ArchiveTests.run(["verify", "archive"], in: dir)
            #expect(status == 4 && err.contains("\(c.path): \(c.reason)"), "\(c.change): \(err)")
            #expect(try ArchiveTests.shell("rm -rf archive && mv pristine archive", in: dir).0 == 0)
        }
        // What a killed run leaves, the next run removes: a leftover version is extra until then.
        #expect(
            try ArchiveTests.shell("cp -a archive/2026/11/\(version) archive/2026/11/02.bbbbbbbbbbbb", in: dir).0 == 0)
        #expect(try ArchiveTests.run(["verify", "archive"], in: dir).0 == 4)
        #expect(try ArchiveTests.run(["archive", "--from", "live", "--to", "archive", "-q"], in: dir).0 == 0)
        let after = try ArchiveTests.run(["verify", "archive"], in: dir)
        #expect(after.0 == 0, "\(after.1)")
    }
}
