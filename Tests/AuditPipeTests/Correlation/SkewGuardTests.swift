import Testing

@testable import AuditPipe

/// The per-input half of the event-time clock: outliers are told from real jumps by the next record.
struct SkewGuardTests {
    static let hour = 3600 * UTCTime.second

    /// One input's records at these seconds (nil: untimed), in order.
    static func records(_ seconds: [Int64?]) -> [LogRecord] {
        seconds.enumerated().map { i, s in
            var r = LogRecord(
                time: (s ?? 0) * UTCTime.second, timeKnown: s != nil, kind: .log,
                position: SourcePosition(input: 0, line: Int64(i + 1), offset: Int64(i)))
            r.sequence = Int64(i)
            return r
        }
    }

    func run(_ seconds: [Int64?], maxSkew: Int64 = hour, batches: Int = 1) -> [(time: Int64, skewed: Bool)] {
        let records = Self.records(seconds)
        var g = SkewGuard(maxSkew: maxSkew)
        var out: [LogRecord] = []
        let size = max(1, (records.count + batches - 1) / batches)
        for start in stride(from: 0, to: records.count, by: size) {
            g.admit(Array(records[start..<min(records.count, start + size)]), into: &out)
        }
        g.release(into: &out)
        #expect(out.map(\.sequence) == records.map(\.sequence), "order is kept")
        return out.map { ($0.time / UTCTime.second, $0.clockSkewed) }
    }

    @Test func loneFutureLineInTheMiddleTakesTheReferenceTime() {
        let out = run([100, 101, 900_000, 102, 103])
        #expect(out.map(\.time) == [100, 101, 101, 102, 103])
        #expect(out.map(\.skewed) == [false, false, true, false, false])
    }

    @Test func epochZeroLineInTheMiddleIsAnOutlier() {
        let out = run([100_000, 100_001, 0, 100_002])
        #expect(out.map(\.skewed) == [false, false, true, false])
        #expect(out[2].time == 100_001)
    }

    @Test func aQuietNightIsAcceptedOnceTheNextRecordConfirmsIt() {
        let out = run([100, 101, 50_000, 50_001, 50_002])
        #expect(out.allSatisfy { !$0.skewed })
        #expect(out.map(\.time) == [100, 101, 50_000, 50_001, 50_002])
    }

    @Test func sparseRecordsHoursApartAreAcceptedButTheUnconfirmedLastOne() {
        // Each jump is confirmed by a record after it that does not fall back; nothing follows the last one.
        let out = run([0, 10_000, 20_000, 30_000, 40_000])
        #expect(out.map(\.skewed) == [false, false, false, false, true])
        #expect(run([0, 10_000, 20_000, 30_000, 40_000], maxSkew: 24 * Self.hour).allSatisfy { !$0.skewed })
    }

    @Test func farFutureFirstLineIsAnOutlierAndTakesItsSuccessorsTime() {
        let out = run([9_000_000, 100, 101])
        #expect(out.map(\.skewed) == [true, false, false])
        #expect(out[0].time == 100)
    }

    @Test func unconfirmedLastLineIsAnOutlier() {
        let out = run([100, 101, 9_000_000])
        #expect(out.map(\.skewed) == [false, false, true])
        #expect(out[2].time == 101)
    }

    @Test func untimedRecordsAfterAnOutlierTakeTheTimeItEndsUpWith() {
        let out = run([100, 9_000_000, nil, nil, 101])
        #expect(out.map(\.time) == [100, 100, 100, 100, 101])
        #expect(out.map(\.skewed) == [false, true, false, false, false])
    }

    @Test func aConfirmedBurstOfFutureLinesIsUndoneByTheJumpBack() {
        let out = run([100, 101, 900_000, 900_001, 102, 103])
        #expect(out.allSatisfy { !$0.skewed })
        #expect(out.map(\.time) == [100, 101, 900_000, 900_001, 102, 103])
    }

    @Test func aClockSteppedBackIsConfirmedAndResetsTheClock() {
        var g = SkewGuard(maxSkew: Self.hour)
        var out: [LogRecord] = []
        let records = Self.records([50_000, 50_001, 40_000, 40_001, 40_002, 40_003])
        g.admit(records, into: &out)
        g.release(into: &out)
        #expect(out.allSatisfy { !$0.clockSkewed })
        #expect(out.map(\.clockReset) == [false, false, true, false, false, false])
        // In the correlator, the clock follows the jump back: the later requests group as usual.
        var c = Correlator(options: CorrelationOptions())
        for (i, var r) in out.enumerated() {
            r.requestID = i < 2 ? "before" : "after"
            c.add(r)
        }
        c.finish()
        #expect(c.drainClosed().map(\.records).sorted() == [2, 4])
    }

    @Test func anUnconfirmedJumpIsAcceptedWhenTheMergeVouchesForIt() {
        var g = SkewGuard(maxSkew: Self.hour)
        var out: [LogRecord] = []
        let records = Self.records([0, 1, 7200])
        g.admit(records, into: &out)
        #expect(out.count == 2 && g.isHolding)
        // Quiet, and the wall clock is far from it: it waits.
        g.releaseIfPlausible(into: &out, now: 9_000_000 * UTCTime.second)
        #expect(g.isHolding)
        // Another input reached 7,100 s: the jump is real.
        g.release(into: &out, witness: 7100 * UTCTime.second)
        #expect(out.count == 3 && !out[2].clockSkewed && out[2].time == 7200 * UTCTime.second)
    }

    @Test func batchBoundariesChangeNothing() {
        let times: [Int64?] = [5, 6, 9_000_000, 7, nil, 8, 80_000, 80_001, 0, 80_002, 9_000_000]
        let whole = run(times)
        for batches in 2...times.count {
            let cut = run(times, batches: batches)
            #expect(cut.map(\.time) == whole.map(\.time) && cut.map(\.skewed) == whole.map(\.skewed))
        }
    }
}
