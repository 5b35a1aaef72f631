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
            // A third trial: a reserved name holding a directory, a version kept elsewhere behind a link.
            ("mkdir archive/head.json", "archive/head.json", "extra: head.json must be a plain file"),
            ("echo garbage > archive/head.json", "archive/head.json", "edited: not a valid head"),
            (
                "mv archive/2026/11/\(version) stash && ln -s \"$PWD/stash\" archive/2026/11/\(version)",
                "archive/2026/11/\(version)", "extra: a day's version must be a directory here"
            ),
            (
                "mv archive/2026/11/02/manifest.json m && ln -s \"$PWD/m\" archive/2026/11/02/manifest.json",
                "archive/2026/11/\(version)/manifest.json", "extra: not a plain file"
            ),
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
            #expect(try ArchiveTests.shell("rm -rf archive stash m && mv pristine archive", in: dir).0 == 0)
        }
        // What a killed run leaves, the next run removes: a leftover version is extra until then.
        #expect(
            try ArchiveTests.shell("cp -a archive/2026/11/\(version) archive/2026/11/02.bbbbbbbbbbbb", in: dir).0 == 0)
        #expect(try ArchiveTests.run(["verify", "archive"], in: dir).0 == 4)
        #expect(try ArchiveTests.run(["archive", "--from", "live", "--to", "archive", "-q"], in: dir).0 == 0)
        let after = try ArchiveTests.run(["verify", "archive"], in: dir)
        #expect(after.0 == 0, "\(after.1)")
    }

    /// Another day's file in a day's place was reported as a cut (or a tail) of the day's own (a new-user trial).
    @Test func anotherDaysFileIsNamedReplaced() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var lines = ""
        for (day, count) in [(1, 10), (2, 13), (3, 17)] {
            for i in 0..<count {
                lines +=
                    #"{"ts":"2026-11-0\#(day)T10:00:\#(String(format: "%02d", i))Z","request_id":"r\#(day)-\#(i)","user":"u","msg":"m"}"#
                lines += "\n"
            }
        }
        try lines.write(to: dir.appendingPathComponent("x.jsonl"), atomically: true, encoding: .utf8)
        #expect(try ArchiveTests.run(["correlate", "x.jsonl", "--output-dir", "live", "-q"], in: dir).0 == 0)
        #expect(try ArchiveTests.run(["archive", "--from", "live", "--to", "archive", "-q"], in: dir).0 == 0)
        let day2 = "archive/2026/11/02/events-2026-11-02.jsonl.gz"
        #expect(try ArchiveTests.shell("cp archive/2026/11/03/events-2026-11-03.jsonl.gz \(day2)", in: dir).0 == 0)
        let (status, err) = try ArchiveTests.run(["verify", "archive"], in: dir)
        #expect(
            status == 4 && err.contains("\(day2): replaced: it holds the events of 2026-11-03, not of 2026-11-02"),
            "\(err)")
    }
}
