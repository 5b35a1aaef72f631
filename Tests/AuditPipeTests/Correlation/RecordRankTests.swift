import Testing

@testable import AuditPipe

/// `RecordRank(latestOf:)` ranks the later of two records of one kind first, across the whole time range.
struct RecordRankTests {
    static func record(_ time: Int64, offset: Int64) -> LogRecord {
        LogRecord(
            time: time, timeKnown: true, kind: .api, position: SourcePosition(input: 0, line: 1, offset: offset))
    }

    @Test func theLatestRanksFirstAtEveryTimeIncludingTheEnds() {
        var rng = SplitMix64(seed: 77)
        let ends: [Int64] = [.min, .min + 1, -1, 0, 1, .max - 1, .max]
        for _ in 0..<20_000 {
            func draw() -> Int64 {
                rng.next() % 3 == 0 ? ends[Int(rng.next() % UInt64(ends.count))] : Int64(bitPattern: rng.next())
            }
            let (a, b) = (draw(), draw())
            let (oa, ob) = (Int64(rng.next() % 1000), Int64(rng.next() % 1000))
            let ra = RecordRank(latestOf: Self.record(a, offset: oa))
            let rb = RecordRank(latestOf: Self.record(b, offset: ob))
            // Later time first; at one time, the later place first.
            let expected = a != b ? a > b : oa > ob
            if (ra < rb) != expected {
                Issue.record("times \(a), \(b) offsets \(oa), \(ob)")
                return
            }
        }
    }
}
