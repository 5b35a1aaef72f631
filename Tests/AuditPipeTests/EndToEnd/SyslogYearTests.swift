import Foundation
import Testing

/// Syslog times carry no year: a file running from Dec 31 into Jan 1 gets both years right, pinned with
/// `--year` (the year of its first lines) or inferred from its modification time (the year of its last lines).
struct SyslogYearTests {
    static let lines = [
        "Dec 31 23:10:00 host app[101]: backup started",
        "Dec 31 23:59:58 host app[102]: year closing",
        "Jan  1 00:00:03 host app[103]: happy new year",
        "Jan  1 00:20:00 host app[104]: still up",
    ]
    static let pattern =
        #"%{SYSLOGTIMESTAMP:time} %{HOSTNAME:host} %{PROG:service}\[%{POSINT:request_id}\]: %{GREEDYDATA:message}"#

    /// The start of each event by request id.
    static func starts(_ flags: [String], modified: Date? = nil, text: String? = nil) throws -> [String: String] {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("syslog")
        try (text ?? lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        if let modified {
            try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: file.path)
        }
        let r = try AuditPipeBinary.run(
            [
                "correlate", "syslog", "-q", "--output-format", "csv", "--columns", "request_id,start",
                "--text-pattern", pattern,
            ]
                + flags, in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        var out: [String: String] = [:]
        for row in String(decoding: r.stdout, as: UTF8.self).split(whereSeparator: \.isNewline).dropFirst() {
            let f = row.split(separator: ",")
            out[String(f[0])] = String(f[1])
        }
        return out
    }

    @Test func aPinnedYearIsTheFirstLinesAndRollsForwardAtNewYear() throws {
        let s = try Self.starts(["--year", "2025"])
        #expect(s["101"] == "2025-12-31T23:10:00.000Z")
        #expect(s["102"] == "2025-12-31T23:59:58.000Z")
        #expect(s["103"] == "2026-01-01T00:00:03.000Z")
        #expect(s["104"] == "2026-01-01T00:20:00.000Z")
    }

    @Test func anInferredYearPutsTheLastLinesInTheModificationYear() throws {
        // Modified on 1 January 2026 at 01:00 UTC, just after the last line.
        let s = try Self.starts([], modified: Date(timeIntervalSince1970: 1_767_229_200))
        #expect(s["101"] == "2025-12-31T23:10:00.000Z")
        #expect(s["102"] == "2025-12-31T23:59:58.000Z")
        #expect(s["103"] == "2026-01-01T00:00:03.000Z")
        #expect(s["104"] == "2026-01-01T00:20:00.000Z")
    }

    /// From a new-user trial (issue 14): a file modified in December holding October then February lines had
    /// both in the modification year, so its times ran backwards.
    @Test func anInferredYearCountsBackFromTheLastLineSoTheTimesRunForward() throws {
        let text = "Oct 11 06:55:46 host app[1]: a\nFeb  5 10:00:00 host app[2]: b\n"
        // Modified on 1 December 2026.
        let s = try Self.starts(
            ["--max-skew", "3650d"], modified: Date(timeIntervalSince1970: 1_796_083_200), text: text)
        #expect(s["1"] == "2025-10-11T06:55:46.000Z")
        #expect(s["2"] == "2026-02-05T10:00:00.000Z")
    }

    @Test func aMonthAheadByHalfAYearOrMoreIsLaterInTheSameYear() throws {
        let text = "Mar  1 00:00:01 host app[1]: a\nOct  1 00:00:02 host app[2]: b\nFeb  1 00:00:03 host app[3]: c\n"
        let s = try Self.starts(["--year", "2025", "--max-skew", "3650d"], text: text)
        #expect(s["1"] == "2025-03-01T00:00:01.000Z")
        #expect(s["2"] == "2025-10-01T00:00:02.000Z")
        #expect(s["3"] == "2026-02-01T00:00:03.000Z")
    }

    @Test func aMonthOutOfOrderByLessThanHalfAYearDoesNotRoll() throws {
        let text = "Apr  1 00:00:01 host app[1]: a\nMar 31 23:59:59 host app[2]: b\nApr  1 00:00:02 host app[3]: c\n"
        let s = try Self.starts(["--year", "2025"], text: text)
        #expect(s["2"] == "2025-03-31T23:59:59.000Z")
        #expect(s["3"] == "2025-04-01T00:00:02.000Z")
    }

    /// From a new-user trial: a Dec 31 line logged a few seconds after the first Jan 1 line was dated a year
    /// later, and every line after it too.
    @Test func aDecemberLineAfterNewYearKeepsItsYearAndTheRollStays() throws {
        let text =
            "Dec 31 23:59:58 h sshd[1]: a\nJan  1 00:00:01 h sshd[2]: b\nDec 31 23:59:59 h sshd[3]: late\n"
            + "Jan  1 00:00:05 h sshd[4]: c\n"
        let s = try Self.starts(["--year", "2025", "--max-skew", "3650d"], text: text)
        #expect(s["1"] == "2025-12-31T23:59:58.000Z")
        #expect(s["2"] == "2026-01-01T00:00:01.000Z")
        #expect(s["3"] == "2025-12-31T23:59:59.000Z")
        #expect(s["4"] == "2026-01-01T00:00:05.000Z")
    }

    @Test func theRollReadsTheWallClockOfTheTimeZone() throws {
        let s = try Self.starts(["--year", "2025", "--timezone", "Europe/Berlin"])
        #expect(s["102"] == "2025-12-31T22:59:58.000Z")
        #expect(s["103"] == "2025-12-31T23:00:03.000Z")
        #expect(s["104"] == "2025-12-31T23:20:00.000Z")
    }

    @Test func anUnknownTimeZoneIsAUsageError() throws {
        let r = try AuditPipeBinary.run(["correlate", "-", "--timezone", "Europe/Berlim"], stdin: Data())
        #expect(r.status == 1)
        #expect(r.stderr.contains("--timezone: unknown time zone 'Europe/Berlim'"), "\(r.stderr)")
    }
}
