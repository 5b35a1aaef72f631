import Foundation
import Testing

@testable import AuditPipe

/// Yearless (syslog) times read in input order: their years never run backwards (issue 14, from a new-user
/// trial), whether counted back from a file's modification time or rolled forward from a stream's start.
struct YearlessTimeTests {
    /// The records `lines` make, parsed and joined as one input with `options` (and `anchor` for a stream).
    static func records(_ lines: [String], _ options: ParseOptions, anchor: Int64? = nil) -> [LogRecord] {
        var bytes: [UInt8] = []
        var spans: [LineSpan] = []
        for (k, line) in lines.enumerated() {
            spans.append(
                LineSpan(
                    start: Int32(bytes.count), length: Int32(line.utf8.count), number: Int64(k + 1),
                    offset: Int64(bytes.count), oversizedLength: 0))
            bytes += Array(line.utf8) + [10]
        }
        let batch = LineBatch(input: 0, index: 0, bytes: bytes, lines: spans)
        var parser = LineParser(options: options)
        let parsed = InputStage.parse(batch, with: &parser, service: "f", maxLineBytes: options.maxLineBytes)
        var joiner = ContinuationJoiner(keepMessage: true)
        joiner.timestamps = options.timestamps
        joiner.yearAnchor = anchor
        var out = joiner.join(parsed, lines: batch).records
        if let last = joiner.finish() { out.append(last) }
        return out
    }

    static func utc(_ text: String) -> Int64 {
        var t = text
        return t.withUTF8 { TimestampParser(assumedYear: 1970).parseValue($0)! } / UTCTime.second
    }

    /// The year of a file's first yearless time found by the first pass, for its lines and modification time.
    static func firstYear(_ lines: [String], modified: String) -> Int? {
        var scan = YearlessScan(timeZone: nil)
        for line in lines {
            var l = line
            l.withUTF8 { scan.scan($0) }
        }
        return scan.firstYear(reference: utc(modified))
    }

    @Test func aFilesYearsCountBackFromItsModificationTimeAcrossNewYear() {
        // From the trial: modified in December 2026, holding October then February: October is 2025's.
        let lines = ["Oct 11 06:55:46 host app[1]: a", "Feb  5 10:00:00 host app[2]: b"]
        #expect(Self.firstYear(lines, modified: "2026-12-01T00:00:00Z") == 2025)
        #expect(Self.firstYear(lines, modified: "2026-02-05T12:00:00Z") == 2025)
        // Two New Years in the file: the first line is two years before the last one's.
        let long = [
            "<13>Nov  1 00:00:00 h a: x", "Jan  1 00:00:00 h a: x", "Jun  1 00:00:00 h a: x", "Nov  2 00:00:00 h a: x",
            "Feb  1 00:00:00 h a: x",
        ]
        #expect(Self.firstYear(long, modified: "2026-12-01T00:00:00Z") == 2024)
        // No New Year: the last line's year is the first's, also after a gap of more than half a year.
        #expect(
            Self.firstYear(["Mar  1 00:00:00 h a: x", "Oct  1 00:00:00 h a: x"], modified: "2026-10-02T00:00:00Z")
                == 2026)
        #expect(Self.firstYear(["2026-10-01T00:00:00Z no syslog time"], modified: "2026-10-02T00:00:00Z") == nil)
    }

    @Test func aPinnedFirstYearRollsForwardAndNeverRunsBackwards() {
        var o = ParseOptions()
        o.assumedYear = 2025
        let times = Self.records(["Oct 11 06:55:46 host app[1]: a", "Feb  5 10:00:00 host app[2]: b"], o).map {
            UTCTime.rfc3339Millis($0.time)
        }
        #expect(times == ["2025-10-11T06:55:46.000Z", "2026-02-05T10:00:00.000Z"])
    }

    @Test func aStreamsFirstYearlessTimeIsAtOrBeforeTheAnchorAndLaterOnesRollForward() {
        // Standard input read on 3 January 2027: its first line, Dec 30, is 2026's; Jan 2 after it is 2027's.
        var o = ParseOptions()
        o.assumedYear = 2027
        let anchor = Self.utc("2027-01-03T00:00:00Z")
        let lines = ["Dec 30 10:00:00 h a[1]: x", "Dec 31 23:59:59 h a[2]: y", "Jan  2 10:00:00 h a[3]: z"]
        let times = Self.records(lines, o, anchor: anchor).map { UTCTime.rfc3339Millis($0.time) }
        #expect(times == ["2026-12-30T10:00:00.000Z", "2026-12-31T23:59:59.000Z", "2027-01-02T10:00:00.000Z"])
        // A stream that starts in this year's January stays in it.
        let january = Self.records(["Jan  2 10:00:00 h a[1]: x"], o, anchor: anchor).map {
            UTCTime.rfc3339Millis($0.time)
        }
        #expect(january == ["2027-01-02T10:00:00.000Z"])
    }

    @Test func standardInputAndAFollowedFileAnchorAtTheCurrentTime() throws {
        var o = ParseOptions()
        o.inferYear = true
        let stdin = o.resolvingYear(for: InputSpec(path: "-"))
        #expect(stdin.yearAnchor != nil && stdin.yearReference == nil)
        let tmp = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let file = tmp.appendingPathComponent("auth.log")
        try "Dec 31 23:00:00 h sshd[1]: x\n".write(to: file, atomically: true, encoding: .utf8)
        let followed = o.resolvingYear(for: InputSpec(path: file.path), streaming: true)
        #expect(followed.yearAnchor != nil && followed.yearReference == nil)
        #expect(o.resolvingYear(for: InputSpec(path: file.path)).yearAnchor == nil)
    }

    /// From a new-user trial: Apache's error log starts its lines with a bare ctime, which was no time, so the
    /// line was glued onto the timed line above it.
    @Test func aBareCtimeAtALinesStartIsItsRecordsTime() {
        let lines = [
            "2005-12-04T04:47:40Z INFO first",
            "Sun Dec  4 04:47:44 2005 [error] [client 1.2.3.4] File does not exist: /var/www/favicon.ico",
            "[Sun Dec 04 04:47:45 2005] [notice] bracketed",
            "Mon Dec 05 04:47:46 2005",
        ]
        let r = Self.records(lines, ParseOptions())
        #expect(
            r.map { UTCTime.rfc3339Millis($0.time) } == [
                "2005-12-04T04:47:40.000Z", "2005-12-04T04:47:44.000Z", "2005-12-04T04:47:45.000Z",
                "2005-12-05T04:47:46.000Z",
            ])
        #expect(r.count == 4 && r[1].timeKnown && r[1].level == .error)
        // Apache 2.4 writes a fraction of a second.
        let fraction = Self.records(["[Sun Dec 04 04:47:44.123456 2005] [core:error] [pid 8] x"], ParseOptions())
        #expect(fraction.first.map { UTCTime.rfc3339Millis($0.time) } == "2005-12-04T04:47:44.123Z")
        // A syslog line is still syslog, and a word that is no weekday is no ctime.
        #expect(Self.records(["Dec  4 04:47:44 host sshd[1]: x"], ParseOptions()).first?.timeKnown == true)
        let p = TimestampParser(assumedYear: 2026)
        var s = "Got Dec  4 04:47:44 2005 x"
        #expect(s.withUTF8 { p.parseLeading($0, at: 0) } == nil)
    }

    /// `--text-pattern` capturing a syslog time whose day has no padding space (`Jan 1 00:00:03`, 14 bytes):
    /// from the trial, it missed the year roll and was put a year back.
    @Test func aPatternsUnpaddedDayRollsTheYearForward() throws {
        var o = ParseOptions()
        o.assumedYear = 2025
        o.textPatterns = [
            try TextPattern(
                #"%{SYSLOGTIMESTAMP:time} %{HOSTNAME:host} %{PROG:service}\[%{POSINT:request_id}\]: %{GREEDYDATA:message}"#
            )
        ]
        let lines = ["Dec 31 23:59:58 h sshd[1]: a", "Jan 1 00:00:03 h sshd[2]: b", "Jan 5 00:00:03 h sshd[3]: c"]
        let times = Self.records(lines, o).map { UTCTime.rfc3339Millis($0.time) }
        #expect(times == ["2025-12-31T23:59:58.000Z", "2026-01-01T00:00:03.000Z", "2026-01-05T00:00:03.000Z"])
    }

    /// A yearless `Feb 29` is read in the last leap year at or before the year its place gives it, not
    /// rejected because the pinned (or inferred) year is a common one.
    @Test func aYearlessFeb29TakesTheLeapYearAtOrBeforeItsYear() throws {
        // From the trial: modified on 10 January 2025, Feb 29 then Jan 5 (no New Year between them).
        let lines = ["<34>Feb 29 10:00:00 h a[2]: x", "<34>Jan  5 10:00:00 h a[3]: x"]
        let first = try #require(Self.firstYear(lines, modified: "2025-01-10T00:00:00Z"))
        var o = ParseOptions()
        o.assumedYear = first
        let times = Self.records(lines, o).map { UTCTime.rfc3339Millis($0.time) }
        #expect(times == ["2024-02-29T10:00:00.000Z", "2025-01-05T10:00:00.000Z"])
        // Rolled into a leap year, it is that year's; a stream anchored in 2026 puts it in 2024.
        o.assumedYear = 2023
        #expect(
            Self.records(["Dec  1 00:00:00 h a: x", "Feb 29 10:00:00 h a: x"], o).map {
                UTCTime.rfc3339Millis($0.time)
            } == ["2023-12-01T00:00:00.000Z", "2024-02-29T10:00:00.000Z"])
        o.assumedYear = 2026
        #expect(
            Self.records(["Feb 29 10:00:00 h a: x"], o, anchor: Self.utc("2026-12-02T00:00:00Z")).map {
                UTCTime.rfc3339Millis($0.time)
            } == ["2024-02-29T10:00:00.000Z"])
    }
}
