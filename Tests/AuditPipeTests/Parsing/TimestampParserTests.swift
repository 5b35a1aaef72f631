import Foundation
import Testing

@testable import AuditPipe

struct TimestampParserTests {
    let p = TimestampParser(assumedYear: 2026)
    let base: Int64 = 1_795_255_200 * UTCTime.second  // 2026-11-21T10:00:00Z

    func parse(_ s: String) -> Int64? {
        var s = s
        return s.withUTF8 { p.parseValue($0) }
    }

    /// From the second formats trial: Apache's `[Sun Dec 4 04:47:44 2005]` with the day unpadded was no time.
    @Test func aCtimeWithAnUnpaddedDayIsRead() {
        let dec4 = UTCTime.days(year: 2005, month: 12, day: 4) * 86_400 * UTCTime.second + 17_264 * UTCTime.second
        #expect(parse("Sun Dec 4 04:47:44 2005") == dec4)
        #expect(parse("Sun Dec  4 04:47:44 2005") == dec4)
        #expect(parse("Sun Dec 4 04:47:44.5 2005") == dec4 + 500_000_000)
        var line = "[Sun Dec 4 04:47:44 2005] [notice] x"
        #expect(line.withUTF8 { p.parseLeading($0, at: 0) }?.0 == dec4)
        #expect(parse("Sun Dec 4 04:47:44 05") == nil)
    }

    @Test func parsesEveryDocumentedForm() {
        #expect(parse("2026-11-21T10:00:00Z") == base)
        #expect(parse("2026-11-21T10:00:00.123456789Z") == base + 123_456_789)
        #expect(parse("2026-11-21T11:30:00.5+01:30") == base + 500_000_000)
        #expect(parse("2026-11-21T08:00:00-0200") == base)
        #expect(parse("2026-11-21 10:00:00.008") == base + 8_000_000)
        #expect(parse("2026-11-21 10:00:00,008") == base + 8_000_000)
        #expect(parse("1795255200") == base)
        #expect(parse("1795255200.25") == base + 250_000_000)
        #expect(parse("1795255200123") == base + 123_000_000)
        #expect(parse("1795255200123456") == base + 123_456_000)
        #expect(parse("1795255200123456789") == base + 123_456_789)
        #expect(parse("21/Nov/2026:03:00:00 -0700") == base)
        #expect(parse("Sat Nov 21 10:00:00 2026") == base)
        #expect(parse("Nov 21 10:00:00") == base)
        // From a new-user trial: forms grok's SYSLOGTIMESTAMP matches, an unpadded day and a fraction.
        #expect(parse("Nov 2 10:00:00") == base - 19 * 86_400 * UTCTime.second)
        #expect(parse("Nov  2 10:00:00") == base - 19 * 86_400 * UTCTime.second)
        #expect(parse("Nov 21 10:00:00.123") == base + 123_000_000)
        #expect(parse("Nov 21 10:00") == nil)
        // Dates a year does not have are no time (they rolled into the next month).
        #expect(parse("2026-04-31T10:00:00Z") == nil)
        #expect(parse("2026-02-29T10:00:00Z") == nil)
        #expect(parse("2024-02-29T10:00:00Z") != nil)
        #expect(parse("Apr 31 10:00:00") == nil)
        #expect(parse("1970-01-01T00:00:00Z") == 0)
        #expect(parse("not a time") == nil)
        #expect(parse("2026-13-01T00:00:00Z") == nil)
    }

    /// From a new-user trial: grok's TIMESTAMP_ISO8601 matches a time without seconds, which was then unreadable.
    @Test func anISOTimeWithoutSecondsIsReadAsTheMinutesStart() {
        #expect(parse("2026-11-21T10:00Z") == base)
        #expect(parse("2026-11-21 10:00") == base)
        #expect(parse("2026-11-21T11:30+01:30") == base)
        #expect(parse("2026-11-21T10:00.5Z") == nil)
        #expect(parse("2026-11-21T10:001") == nil)
        #expect(parse("2026-11-21T10:00:") == nil)
        var line = Array("2026-11-21 10:00 INFO started".utf8)
        let leading = line.withUnsafeMutableBufferPointer { p.parseLeading(UnsafeBufferPointer($0), at: 0) }
        #expect(leading?.0 == base && leading?.1 == 16)
    }

    @Test func formatsWithMillisecondsAndRoundTrips() {
        #expect(UTCTime.rfc3339Millis(base + 123_999_999) == "2026-11-21T10:00:00.123Z")
        #expect(UTCTime.rfc3339Millis(-1) == "1969-12-31T23:59:59.999Z")
        #expect(parse(UTCTime.rfc3339Millis(base + 42_000_000)) == base + 42_000_000)
    }
}

/// Values past what the types hold are "no value", never an overflow trap (found by the `lines` fuzzer and
/// by `archive --archive-retain 100000d`).
struct OverflowTests {
    @Test func timestampsPastTheNanosecondRangeAreNoTime() {
        let p = TimestampParser(assumedYear: 2026)
        for text in ["9999-12-31T23:59:59Z", "2262-04-12T00:00:00Z", "99999999999", "99999999999999999"] {
            var t = text
            #expect(t.withUTF8 { p.parseValue($0) } == nil, "\(text)")
        }
        var last = "2262-04-11T00:00:00Z"
        #expect(last.withUTF8 { p.parseValue($0) } != nil)
    }

    /// From a new-user trial: the last 854775808 ns of the earliest second (1677-09-21T00:12:43Z) are in range,
    /// but were read as no time, because the second's start times 1e9 is below Int64.min; `--since` and filter
    /// literals refused the minimum the same way. The range is now the same at both ends.
    @Test func theEarliestInstantIsATimeAsTheLatestIs() {
        let p = TimestampParser(assumedYear: 2026)
        func parse(_ text: String) -> Int64? {
            var t = text
            return t.withUTF8 { p.parseValue($0) }
        }
        #expect(parse("1677-09-21T00:12:43.145224192Z") == Int64.min)
        #expect(parse("1677-09-21T00:12:43.145224193Z") == Int64.min + 1)
        #expect(parse("1677-09-21T00:12:43.5Z") == Int64.min + 354_775_808)
        #expect(parse("1677-09-21T00:12:43.999999999Z") == -9_223_372_036_000_000_001)
        #expect(parse("1677-09-21T00:12:44Z") == -9_223_372_036_000_000_000)
        // The millisecond that holds the earliest instant reads as it, as auditpipe writes it (helper-37: an
        // event starting at Int64.min was written `.145Z` and read back as no time).
        #expect(parse("1677-09-21T00:12:43.145224191Z") == Int64.min)
        #expect(parse("1677-09-21T00:12:43.145Z") == Int64.min)
        #expect(parse(UTCTime.rfc3339Millis(Int64.min)) == Int64.min)
        #expect(parse("1677-09-21T00:12:43.144999999Z") == nil)
        #expect(parse("1677-09-21T00:12:43Z") == nil)
        #expect(parse("1677-09-21T00:12:42.9Z") == nil)
        // The same instant written with an offset, and the formatted minimum read back.
        #expect(parse("1677-09-21T01:12:43.145224192+01:00") == Int64.min)
        #expect(UTCTime.rfc3339Millis(-9_223_372_036_854_000_000) == "1677-09-21T00:12:43.146Z")
        #expect(parse(UTCTime.rfc3339Millis(-9_223_372_036_854_000_000)) == -9_223_372_036_854_000_000)
        #expect(TimeBound.parse("1677-09-21T00:12:43.145224192Z", now: 0) == Int64.min)
        #expect(TimeBound.parse("2262-04-11T23:47:16.854775807Z", now: 0) == Int64.max)
        // Every nanosecond count of the earliest second's range boundary, at random, against exact arithmetic.
        var rng = SplitMix64(seed: 13)
        for _ in 0..<2_000 {
            let frac = Int64(rng.next() % 1_000_000_000)
            let exact = Int128(-9_223_372_037) * 1_000_000_000 + Int128(frac)
            let text = "1677-09-21T00:12:43." + String(String(frac + 1_000_000_000).dropFirst()) + "Z"
            let expected =
                exact >= Int128(Int64.min) ? Int64(exact) : exact >= Int128(Int64.min) - 224_192 ? Int64.min : nil
            #expect(parse(text) == expected, "\(text)")
        }
        // Whatever a time is, as auditpipe writes it, it reads back as that time floored to the millisecond
        // (and no earlier than the earliest instant): near the minimum, and anywhere.
        for i in 0..<4_000 {
            let t = i < 2_000 ? Int64.min + Int64(rng.next() % 3_000_000) : Int64(bitPattern: rng.next())
            let floored = t.quotientAndRemainderFlooring(dividingBy: 1_000_000)
            let expected = Int128(floored.0) * 1_000_000 < Int128(Int64.min) ? Int64.min : floored.0 * 1_000_000
            #expect(parse(UTCTime.rfc3339Millis(t)) == expected, "\(t)")
        }
    }

    @Test func durationsAreCappedAt36500Days() {
        #expect(DurationText.parse("36500d") == Int64(36_500) * 86_400 * UTCTime.second)
        #expect(DurationText.parse("36501d") == nil)
        #expect(DurationText.parse("100000d") == nil)
        #expect(DurationText.parse("999999999999d") == nil)
        #expect(DurationText.parse("1h30m") == Int64(5_400) * UTCTime.second)
    }

    @Test func anEpochOfNineteenDigitsPastInt64IsNoTimeNotATrap() {
        func epoch(_ text: String) -> Int64? {
            Array(text.utf8).withUnsafeBufferPointer { TimestampParser.parseEpoch($0) }
        }
        #expect(epoch("9999999999999999999") == nil)
        #expect(epoch("9223372036854775808") == nil)
        #expect(epoch("1795255200") == 1_795_255_200 * UTCTime.second)
    }

    /// Every input a fuzzer crashed on, replayed through its target by the plain (non-libFuzzer) build.
    @Test func fuzzRegressionsReplayWithoutCrashing() throws {
        let root = AuditPipeBinary.packageRoot.appendingPathComponent("Fixtures/fuzz-regressions")
        let fuzz = AuditPipeBinary.url.deletingLastPathComponent().appendingPathComponent("AuditPipeFuzz")
        for target in try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() {
            let dir = root.appendingPathComponent(target)
            let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted().map {
                dir.appendingPathComponent($0).path
            }
            let p = Process()
            p.executableURL = fuzz
            p.arguments = files
            p.environment = ["AUDITPIPE_FUZZ_TARGET": target, "SWIFT_BACKTRACE": "enable=no"]
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "\(target) crashed on one of \(files)")
        }
    }
}
