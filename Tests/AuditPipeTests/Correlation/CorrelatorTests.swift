import Testing

@testable import AuditPipe

struct CorrelatorTests {
    func record(_ id: String?, ms: Int64, seq: Int64, end: Bool = false) -> LogRecord {
        var r = LogRecord(
            time: ms * 1_000_000, timeKnown: true, kind: .log, position: SourcePosition(input: 0, line: seq, offset: 0))
        r.requestID = id
        r.sequence = seq
        r.isEndMarker = end
        return r
    }

    @Test func groupClosesWhenWatermarkPassesIdleGap() {
        var c = Correlator(options: CorrelationOptions())
        c.add(record("a", ms: 0, seq: 0))
        c.add(record("b", ms: 6_000, seq: 1))
        #expect(c.drainClosed().isEmpty)  // watermark 4s < 0 + 5s
        c.add(record("b", ms: 7_001, seq: 2))  // watermark 5.001s passes a's 5s deadline
        let closed = c.drainClosed()
        #expect(closed.map(\.requestID) == ["a"])
    }

    @Test func endMarkerClosesOnceLatenessHasPassed() {
        var c = Correlator(options: CorrelationOptions())
        c.add(record("a", ms: 0, seq: 0))
        c.add(record("a", ms: 100, seq: 1, end: true))
        c.add(record("x", ms: 2_099, seq: 2))
        #expect(c.drainClosed().isEmpty)  // watermark 99 ms: the marker's lateness has not passed
        c.add(record("x", ms: 2_100, seq: 3))
        #expect(c.drainClosed().map(\.records) == [2])
    }

    @Test func lateRecordBecomesItsOwnEventFlaggedLate() {
        var c = Correlator(options: CorrelationOptions())
        c.add(record("a", ms: 0, seq: 0))
        c.add(record("z", ms: 10_000, seq: 1))
        #expect(c.drainClosed().count == 1)
        c.add(record("a", ms: 1_000, seq: 2))
        c.finish()
        let flags = c.drainClosed().filter { $0.requestID == "a" }.map(\.flags)
        #expect(flags == [.late])
    }

    @Test func farFutureOutlierDoesNotCloseOpenGroups() {
        // What the correlator is handed: the guard has given the outlier its input's reference time.
        var guardState = SkewGuard(maxSkew: 3600 * UTCTime.second)
        var admitted: [LogRecord] = []
        guardState.admit(
            [record("a", ms: 0, seq: 0), record("bad", ms: 10 * 3600 * 1000, seq: 1), record("a", ms: 100, seq: 2)],
            into: &admitted)
        var c = Correlator(options: CorrelationOptions())
        for r in admitted { c.add(r) }
        #expect(c.drainClosed().isEmpty)
        #expect(c.openGroups == 2)
        c.finish()
        let closed = c.drainClosed()
        #expect(closed.first { $0.requestID == "bad" }?.flags == .clockSkew)
        #expect(closed.first { $0.requestID == "a" }?.records == 2)
    }

    @Test func openGroupsBeyondTheLimitCloseLeastRecentlySeenAsPartial() {
        var o = CorrelationOptions()
        o.maxOpenGroups = 2
        var c = Correlator(options: o)
        c.add(record("a", ms: 0, seq: 0))
        c.add(record("b", ms: 1, seq: 1))
        c.add(record("a", ms: 2, seq: 2))
        c.add(record("c", ms: 3, seq: 3))
        let closed = c.drainClosed()
        #expect(closed.map(\.requestID) == ["b"])
        #expect(closed.first?.flags == .partial)
    }
}

/// The deadline heap drops stale entries and stays a heap (groups closed early leave theirs behind).
struct MinHeapCompactionTests {
    enum IntOrder: HeapOrder {
        static func less(_ a: Int, _ b: Int) -> Bool { a < b }
    }

    @Test func compactKeepsTheChosenElementsInHeapOrder() {
        var heap = MinHeap<IntOrder>()
        var rng = SplitMix64(seed: 3)
        for _ in 0..<10_000 { heap.push(Int(rng.next() % 100_000)) }
        let kept = heap.items.filter { $0 % 3 == 0 }.sorted()
        heap.compact { $0 % 3 == 0 }
        #expect(heap.count == kept.count)
        var popped: [Int] = []
        while let x = heap.pop() { popped.append(x) }
        #expect(popped == kept)
    }
}
