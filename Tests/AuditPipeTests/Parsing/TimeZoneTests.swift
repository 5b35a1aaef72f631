import Foundation
import Testing

@testable import AuditPipe

/// `--timezone`: times written without an offset are read on a zone's wall clock, from the system tz database.
struct TimeZoneTests {
    func utc(_ text: String, _ zone: String, year: Int = 2024) throws -> String? {
        let p = TimestampParser(assumedYear: year, timeZone: try TimeZoneRules.named(zone))
        var t = text
        return t.withUTF8 { p.parseValue($0) }.map(UTCTime.rfc3339Millis)
    }

    @Test func timesWithoutAnOffsetAreReadInTheZoneDSTIncluded() throws {
        #expect(try utc("2024-05-14 09:00:00,123", "Europe/Berlin") == "2024-05-14T07:00:00.123Z")
        #expect(try utc("2024-01-14 09:00:00", "Europe/Berlin") == "2024-01-14T08:00:00.000Z")
        #expect(try utc("May 14 09:00:00", "Europe/Berlin") == "2024-05-14T07:00:00.000Z")
        #expect(try utc("Dec 10 06:55:46", "Europe/Berlin") == "2024-12-10T05:55:46.000Z")
        #expect(try utc("Thu Jul  4 12:00:00 2024", "America/New_York") == "2024-07-04T16:00:00.000Z")
        #expect(try utc("2024-07-04T12:00:00", "America/New_York") == "2024-07-04T16:00:00.000Z")
        #expect(try utc("2024-05-14 09:00:00", "+02:00") == "2024-05-14T07:00:00.000Z")
        #expect(try utc("2024-05-14 09:00:00", "-0530") == "2024-05-14T14:30:00.000Z")
        #expect(try utc("2024-05-14 09:00:00", "UTC") == "2024-05-14T09:00:00.000Z")
    }

    @Test func timesWithAnOffsetOrEpochIgnoreTheZone() throws {
        #expect(try utc("2024-05-14T09:00:00Z", "Europe/Berlin") == "2024-05-14T09:00:00.000Z")
        #expect(try utc("2024-05-14T09:00:00+01:00", "Europe/Berlin") == "2024-05-14T08:00:00.000Z")
        #expect(try utc("14/May/2024:09:00:00 +0000", "Europe/Berlin") == "2024-05-14T09:00:00.000Z")
        #expect(try utc("1715677200", "Europe/Berlin") == "2024-05-14T09:00:00.000Z")
    }

    @Test func aSkippedHourTakesTheOffsetBeforeAndARepeatedHourItsFirstOccurrence() throws {
        // Berlin 2024-03-31: 02:00 CET becomes 03:00 CEST; 2024-10-27: 03:00 CEST becomes 02:00 CET.
        #expect(try utc("2024-03-31 02:30:00", "Europe/Berlin") == "2024-03-31T01:30:00.000Z")
        #expect(try utc("2024-03-31 03:30:00", "Europe/Berlin") == "2024-03-31T01:30:00.000Z")
        #expect(try utc("2024-10-27 02:30:00", "Europe/Berlin") == "2024-10-27T00:30:00.000Z")
        #expect(try utc("2024-10-27 03:30:00", "Europe/Berlin") == "2024-10-27T02:30:00.000Z")
    }

    /// The offsets agree with Foundation's reading of the same database, hour by hour over DST changes, past
    /// 2037 (where a file's listed changes may end and its POSIX rule takes over) and in the southern hemisphere.
    @Test(arguments: ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "America/Sao_Paulo"])
    func offsetsAgreeWithFoundation(zone: String) throws {
        let mine = try TimeZoneRules.named(zone)
        let theirs = try #require(TimeZone(identifier: zone))
        var t: Int64 = 631_152_000  // 1990
        var mismatches: [String] = []
        while t < 2_556_144_000 {  // 2051
            let expected = theirs.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t)))
            if Int(mine.offset(atUTC: t)) != expected {
                mismatches.append("\(t): \(mine.offset(atUTC: t)) vs \(expected)")
            }
            t += 3_607 * 5
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test func thePOSIXRuleOfATZifFooterGivesOffsetsPastItsTable() throws {
        let rule = try #require(PosixTZRule("CET-1CEST,M3.5.0,M10.5.0/3"))
        #expect(rule.offset(atUTC: 2_224_051_200) == 7200)  // 2040-06-24
        #expect(rule.offset(atUTC: 2_208_988_800) == 3600)  // 2040-01-01
        let south = try #require(PosixTZRule("AEST-10AEDT,M10.1.0,M4.1.0/3"))
        #expect(south.offset(atUTC: 2_208_988_800) == 39600)
        #expect(south.offset(atUTC: 2_224_051_200) == 36000)
        #expect(PosixTZRule("<+0530>-5:30")?.offset(atUTC: 0) == 19800)
    }

    @Test func anUnknownZoneIsRefusedWithWhatToWrite() {
        for name in ["Mars/Olympus", "../../etc/passwd", "/etc/localtime", "+25:00", "Europe/Berlin.bak", ""] {
            #expect(throws: TimeZoneError.self, "\(name)") { try TimeZoneRules.named(name) }
        }
        do {
            _ = try TimeZoneRules.named("Europe/Berlim")
        } catch {
            #expect(error.description.contains("Europe/Berlin, UTC or an offset like +02:00"))
        }
    }

    /// From a new-user trial: `--timezone -0530` was taken for an option ("missing value"); only
    /// `--timezone=-0530` worked.
    @Test(arguments: [["--timezone", "-0530"], ["--timezone=-0530"], ["--timezone", "-05:30"]])
    func aNegativeOffsetIsTakenAfterTheOptionWithOrWithoutEquals(_ flag: [String]) throws {
        let r = try AuditPipeBinary.run(
            ["correlate", "-", "-q", "--output-format", "csv", "--columns", "start"] + flag,
            stdin: Data("2026-11-21 10:00:00 INFO saved request_id=r1\n".utf8))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(String(decoding: r.stdout, as: UTF8.self).contains("2026-11-21T15:30:00.000Z"))
    }
}
