import Foundation
import Testing

/// `archive` takes only well-formed event lines, whatever their key order. From a new-user trial: a line in
/// auditpipe's own key order had only its id and start read, so a number `012`, an escape `\i`, a second
/// `start` (or `user`), or text after the object was archived, passed `verify`, and `query` then lost or misdated
/// it; the same lines in another key order were refused.
struct ArchiveLineTests {
    static let good = #"{"event_id":"e5","request_id":"r5","start":"2026-11-01T10:00:04.000Z","actor":{"user":"a"}}"#

    @Test(arguments: [
        #"{"event_id":"e1","request_id":"r1","start":"2026-11-01T10:00:00.000Z","duration_ms":012}"#,
        #"{"event_id":"e2","request_id":"r2","start":"2026-11-01T10:00:01.000Z","user":"al\ice"}"#,
        #"{"event_id":"e3","request_id":"r3","start":"2026-11-01T10:00:02.000Z","start":"2026-11-05T10:00:00.000Z"}"#,
        #"{"event_id":"e4","request_id":"r4","start":"2026-11-01T10:00:03.000Z"} trailing"#,
        #"{"event_id":"e6","request_id":"r6","start":"2026-11-01T10:00:05.000Z","actor":{"user":"a","user":"b"}}"#,
        #"{"event_id":"e7","request_id":null,"start":"2026-11-01T10:00:06.000Z","n":NaN}"#,
        #"{"request_id":"r8","event_id":"e8","start":"2026-11-01T10:00:07.000Z","x":[1,02]}"#,
        // A fourth trial: a start with an offset on another UTC day, a start that is no time.
        #"{"event_id":"0123456789abcdef0123456789abcdef","request_id":"r","start":"2026-11-01T23:00:00.000-05:00"}"#,
        #"{"event_id":"0123456789abcdef0123456789abcdef","request_id":"r","start":"2026-11-01T99:99:99.999Z"}"#,
        #"{"start":"2026-11-01X10:00:00.381Z","event_id":"e10"}"#,
    ])
    func aMalformedLineIsRefusedAndTheLiveFileKept(line: String) throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let live = dir.appendingPathComponent("live")
        try FileManager.default.createDirectory(at: live, withIntermediateDirectories: true)
        let file = live.appendingPathComponent("events-2026-11-01.jsonl")
        try (Self.good + "\n" + line + "\n").write(to: file, atomically: true, encoding: .utf8)
        let (status, err) = try ArchiveTests.run(["archive", "--from", "live", "--to", "archive", "-q"], in: dir)
        #expect(status == 3 && err.contains("events-2026-11-01.jsonl: line 2 is not an audit event"), "\(err)")
        #expect(FileManager.default.fileExists(atPath: file.path))
    }

    @Test func wellFormedLinesInEitherKeyOrderAreArchived() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let live = dir.appendingPathComponent("live")
        try FileManager.default.createDirectory(at: live, withIntermediateDirectories: true)
        let other = #"{"start":"2026-11-01T10:00:09.000Z","event_id":"e9","n":[1,{"a":-0.5e3},[]],"s":"\u00e9\n"}"#
        try (Self.good + "\n" + other + "\n").write(
            to: live.appendingPathComponent("events-2026-11-01.jsonl"), atomically: true, encoding: .utf8)
        let (status, err) = try ArchiveTests.run(["archive", "--from", "live", "--to", "archive", "-q"], in: dir)
        #expect(status == 0, "\(err)")
        #expect(try ArchiveTests.run(["verify", "archive"], in: dir).0 == 0)
    }

    /// Lines in the exact form auditpipe writes (32-hex ids, 24-character starts) take the merge's fast path, which
    /// reads only their ids and starts; the compressing workers check them whole.
    @Test(arguments: [
        #""duration_ms":012}"#, #""user":"al\ice"}"#, #""duration_ms":1} trailing"#,
        #""actor":{"user":"a","user":"b"}}"#, #""start":"2026-11-05T10:00:00.000Z"}"#,
        // A fourth trial: the same key spelled with an escape is the same key.
        #""\u0073tart":"2026-11-05T10:00:00.000Z"}"#, #""actor":{"user":"a","\u0075ser":"b"}}"#,
        #""a/b":1,"a\/b":2}"#,
    ])
    func aMalformedLineInAuditpipesOwnFormIsRefused(tail: String) throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let live = dir.appendingPathComponent("live")
        try FileManager.default.createDirectory(at: live, withIntermediateDirectories: true)
        func line(_ n: Int, _ rest: String) -> String {
            let id = String(repeating: String(n), count: 32)
            return #"{"event_id":"\#(id)","request_id":"r\#(n)","start":"2026-11-01T10:00:0\#(n).000Z","# + rest
        }
        let file = live.appendingPathComponent("events-2026-11-01.jsonl")
        try (line(1, #""duration_ms":1}"#) + "\n" + line(2, tail) + "\n").write(
            to: file, atomically: true, encoding: .utf8)
        let (status, err) = try ArchiveTests.run(["archive", "--from", "live", "--to", "archive", "-q"], in: dir)
        // Named by its line in the live file (the workers that refuse it see it in a merged chunk).
        #expect(status == 3 && err.contains("events-2026-11-01.jsonl: line 2 is not an audit event"), "\(err)")
        #expect(FileManager.default.fileExists(atPath: file.path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("archive/2026/11/01").path))
        // The well-formed line alone is archived.
        try (line(1, #""duration_ms":1}"#) + "\n").write(to: file, atomically: true, encoding: .utf8)
        #expect(try ArchiveTests.run(["archive", "--from", "live", "--to", "archive", "-q"], in: dir).0 == 0)
        #expect(try ArchiveTests.run(["verify", "archive"], in: dir).0 == 0)
    }

    /// JSON text is UTF-8: a line with a byte that is not was archived as it was (a fourth trial).
    @Test func aLineThatIsNotUTF8IsRefused() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let live = dir.appendingPathComponent("live")
        try FileManager.default.createDirectory(at: live, withIntermediateDirectories: true)
        var bytes = Array(#"{"event_id":"0123456789abcdef0123456789abcdef","request_id":"r1","#.utf8)
        bytes += Array(#""start":"2026-11-01T10:00:00.000Z","actor":{"user":"al"#.utf8) + [0xFF]
        bytes += Array(#"ice","name":"Zoë"}}"#.utf8) + [10]
        let file = live.appendingPathComponent("events-2026-11-01.jsonl")
        try Data(bytes).write(to: file)
        let (status, err) = try ArchiveTests.run(["archive", "--from", "live", "--to", "archive", "-q"], in: dir)
        #expect(status == 3 && err.contains("is not an audit event"), "\(err)")
        // The same line in UTF-8 (`Zoë` too) is archived.
        bytes.removeAll { $0 == 0xFF }
        try Data(bytes).write(to: file)
        #expect(try ArchiveTests.run(["archive", "--from", "live", "--to", "archive", "-q"], in: dir).0 == 0)
        #expect(try ArchiveTests.run(["verify", "archive"], in: dir).0 == 0)
    }

    /// A fifth trial: a malformed line with the event_id of an earlier line went to the conflicts file unchecked
    /// (a line kept aside is never compressed), and a day refused still wrote a conflicts file.
    @Test(arguments: [
        (
            ArchiveLineTests.own(#""duration_ms":1}"#),
            ArchiveLineTests.own(#""\u0073tart":"2026-11-25T10:00:00.000Z"}"#)
        ),
        (ArchiveLineTests.own(#""duration_ms":1}"#), ArchiveLineTests.own(#""actor":{"user":"a","user":"b"}}"#)),
        (ArchiveLineTests.own(#""actor":{"user":"a","\u0075ser":"b"}}"#), ArchiveLineTests.own(#""duration_ms":2}"#)),
    ])
    func aMalformedLineWithAnEarlierLinesIDRefusesTheDay(first: String, second: String) throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let live = dir.appendingPathComponent("live")
        try FileManager.default.createDirectory(at: live, withIntermediateDirectories: true)
        let file = live.appendingPathComponent("events-2026-11-01.jsonl")
        try (first + "\n" + second + "\n").write(to: file, atomically: true, encoding: .utf8)
        let (status, err) = try ArchiveTests.run(["archive", "--from", "live", "--to", "archive", "-q"], in: dir)
        #expect(status == 3 && err.contains("is not an audit event"), "\(err)")
        #expect(FileManager.default.fileExists(atPath: file.path))
        #expect(!FileManager.default.fileExists(atPath: live.appendingPathComponent("conflicts-2026-11-01.jsonl").path))
    }

    /// A line in auditpipe's own form, one event id for all, and `rest` after its start.
    static func own(_ rest: String) -> String {
        #"{"event_id":"0123456789abcdef0123456789abcdef","request_id":"r1","start":"2026-11-01T10:00:00.000Z","# + rest
    }

    /// A second trial: a refused line's number skipped blank lines (`line 4` for `grep -n`'s 6); a line of a `\r`
    /// alone was refused while a blank one was not; and CRLF lines were archived with their `\r`.
    @Test func linesAreNumberedAsGrepNumbersThemAndCRLFIsReadAsLF() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let live = dir.appendingPathComponent("live")
        try FileManager.default.createDirectory(at: live, withIntermediateDirectories: true)
        let file = live.appendingPathComponent("events-2026-11-01.jsonl")
        func line(_ n: Int) -> String {
            let id = String(repeating: String(n), count: 32)
            return #"{"event_id":"\#(id)","request_id":"r\#(n)","start":"2026-11-01T10:00:0\#(n).000Z","n":\#(n)}"#
        }
        // Blank lines, a `\r` alone, spaces and a tab alone (blank, as the reader takes them), then the bad line:
        // line 6.
        try (line(1) + "\n\n\r\n \t \n" + line(2) + "\nbad\n").write(to: file, atomically: true, encoding: .utf8)
        var (status, err) = try ArchiveTests.run(["archive", "--from", "live", "--to", "archive", "-q"], in: dir)
        #expect(status == 3 && err.contains("events-2026-11-01.jsonl: line 6 is not an audit event"), "\(err)")
        // An event of another day, at line 4 (after a blank line), named by its line.
        let other =
            #"{"event_id":"\#(String(repeating: "9", count: 32))","request_id":"r9","start":"2026-11-02T00:00:01.000Z"}"#
        try (line(1) + "\n\n" + line(2) + "\n" + other + "\n").write(to: file, atomically: true, encoding: .utf8)
        (status, err) = try ArchiveTests.run(["archive", "--from", "live", "--to", "archive", "-q"], in: dir)
        #expect(
            status == 3 && err.contains("events-2026-11-01.jsonl: an event (line 4) starts on 2026-11-02"), "\(err)")
        // CRLF lines, a `\r` alone among them: archived as LF lines, and verified.
        try (line(1) + "\r\n\r\n" + line(2) + "\r\n").write(to: file, atomically: true, encoding: .utf8)
        (status, err) = try ArchiveTests.run(["archive", "--from", "live", "--to", "archive", "-q"], in: dir)
        #expect(status == 0, "\(err)")
        let content = try ArchiveTests.shell("zcat archive/2026/11/01/events-2026-11-01.jsonl.gz", in: dir).1
        #expect(content == line(1) + "\n" + line(2) + "\n", "\(content)")
        #expect(try ArchiveTests.run(["verify", "archive"], in: dir).0 == 0)
    }
}
