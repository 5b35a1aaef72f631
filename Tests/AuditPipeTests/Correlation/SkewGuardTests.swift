import Testing

@testable import AuditPipe

/// The per-input half of the event-time clock: outliers are told from real jumps by the next record.
struct SkewGuardTests {
    static let hour = 3600 * UTCTime.second

    func run(_ seconds: [Int64?], maxSkew: Int64 = hour, batches: Int = 1) -> [(time: Int64, skewed: Bool)] {
        let records = seconds.enumerated().map { i, s in
            var r = LogRecord(
                time: (s ?? 0) * UTCTime.second, timeKnown: s != nil, kind: .log,
                position: SourcePosition(input: 0, line: Int64(i + 1), offset: Int64(i)))
            r.sequence = Int64(i)
            return r
        }
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
        // Each jump is confirmed by a record that does not fall back; nothing follows the last one.
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

    @Test func batchBoundariesChangeNothing() {
        let times: [Int64?] = [5, 6, 9_000_000, 7, nil, 8, 80_000, 80_001, 0, 80_002, 9_000_000]
        let whole = run(times)
        for batches in 2...times.count {
            let cut = run(times, batches: batches)
            #expect(cut.map(\.time) == whole.map(\.time) && cut.map(\.skewed) == whole.map(\.skewed))
        }
    }
}
