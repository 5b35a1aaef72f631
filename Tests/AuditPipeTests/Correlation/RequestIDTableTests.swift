import Testing

@testable import AuditPipe

/// The open-addressing table of request ids: ids that share a hash (or a home bucket) stay apart, removal
/// keeps every other id findable, and it agrees with a dictionary over any sequence of changes.
struct RequestIDTableTests {
    @Test func idsSharingOneHashAreToldApartByTheirBytes() {
        var t = RequestIDTable<Int>()
        for (i, id) in ["a", "b", "c", "d"].enumerated() { t.update(i, hash: 7, id: id) }
        #expect(t.count == 4)
        #expect(t.value(hash: 7, id: "c") == 2)
        #expect(t.value(hash: 7, id: "e") == nil)
        #expect(t.remove(hash: 7, id: "b") == 1)
        #expect(t.value(hash: 7, id: "a") == 0)
        #expect(t.value(hash: 7, id: "c") == 2)
        #expect(t.value(hash: 7, id: "d") == 3)
        #expect(t.value(hash: 7, id: "b") == nil)
        t.update(9, hash: 7, id: "d")
        #expect(t.count == 3)
        #expect(t.value(hash: 7, id: "d") == 9)
    }

    @Test func removalInARunThatWrapsAroundKeepsTheRestFindable() {
        var t = RequestIDTable<Int>()
        // 16 buckets: three ids at home 15 wrap to buckets 0 and 1; one at home 0 is pushed to bucket 2.
        t.update(1, hash: 15, id: "x")
        t.update(2, hash: 15, id: "y")
        t.update(3, hash: 15, id: "z")
        t.update(4, hash: 16, id: "w")
        #expect(t.remove(hash: 15, id: "x") == 1)
        #expect(t.value(hash: 15, id: "y") == 2)
        #expect(t.value(hash: 15, id: "z") == 3)
        #expect(t.value(hash: 16, id: "w") == 4)
        #expect(t.remove(hash: 15, id: "y") == 2)
        #expect(t.value(hash: 15, id: "z") == 3)
        #expect(t.value(hash: 16, id: "w") == 4)
        #expect(Set(t.values) == [3, 4])
    }

    @Test func agreesWithADictionaryOverManyInsertsAndRemovals() {
        var t = RequestIDTable<Int>()
        var model: [String: Int] = [:]
        var rng = SplitMix64(seed: 11)
        for step in 0..<20_000 {
            let n = Int(rng.next() % 600)
            let id = "id-\(n)"
            // Few distinct hashes: long probe runs, many shared hashes, removals in the middle of runs.
            let hash = UInt64(n % 37) &* 0x1_0000_0001
            if rng.next() % 3 == 0 {
                #expect(t.remove(hash: hash, id: id) == model.removeValue(forKey: id))
            } else {
                t.update(step, hash: hash, id: id)
                model[id] = step
            }
            #expect(t.count == model.count)
        }
        for n in 0..<600 {
            let id = "id-\(n)"
            #expect(t.value(hash: UInt64(n % 37) &* 0x1_0000_0001, id: id) == model[id])
        }
        #expect(t.values.sorted() == model.values.sorted())
    }
}

/// The request id's hash, carried by the record: equal ids (as Swift compares strings) hash alike.
struct RequestIDHashTests {
    @Test func canonicallyEquivalentIdsHashAlike() {
        #expect(RequestIDHash.of("caf\u{E9}") == RequestIDHash.of("cafe\u{301}"))
        #expect(RequestIDHash.of("\u{212A}-1") == RequestIDHash.of("K-1"))
        #expect(RequestIDHash.of("req-1") != RequestIDHash.of("req-2"))
        #expect(RequestIDHash.of("abcdefgh") != RequestIDHash.of("abcdefgh0"))
    }

    @Test func settingARecordsIdSetsItsHash() {
        var r = LogRecord(time: 0, timeKnown: true, kind: .log, position: SourcePosition(input: 0, line: 0, offset: 0))
        #expect(r.requestIDHash == 0)
        r.requestID = "0f8e2a7c-9d11-4c3e-b1a2-5e6f7a8b9c0d"
        #expect(r.requestIDHash == RequestIDHash.of("0f8e2a7c-9d11-4c3e-b1a2-5e6f7a8b9c0d"))
        r.requestID = nil
        #expect(r.requestIDHash == 0)
    }
}

/// The closed-id memory keyed by hash: ids sharing a hash are remembered and forgotten one by one, oldest
/// first.
struct ClosedIDMemoryTests {
    @Test func idsSharingAHashAreForgottenOldestFirst() {
        var m = ClosedIDMemory(capacity: 2)
        m.remember("x", hash: 5, end: 1, flags: [])
        m.remember("y", hash: 5, end: 2, flags: .partial)
        m.remember("z", hash: 5, end: 3, flags: [])
        #expect(m.remembered.map(\.id) == ["y", "z"])
        #expect(m.take("x", hash: 5) == nil)
        #expect(m.take("y", hash: 5)?.flags == .partial)
        #expect(m.take("z", hash: 5)?.end == 3)
        #expect(m.remembered.isEmpty)
    }

    @Test func rememberingAnIdAgainKeepsItsLatestClose() {
        var m = ClosedIDMemory(capacity: 2)
        m.remember("a", hash: 5, end: 1, flags: [])
        m.remember("b", hash: 5, end: 2, flags: [])
        m.remember("a", hash: 5, end: 3, flags: .partial)
        #expect(m.remembered.map(\.id) == ["b", "a"])
        #expect(m.take("a", hash: 5)?.end == 3)
        #expect(m.take("b", hash: 5)?.end == 2)
    }
}

/// The correlator over ids whose hashes collide (the record's hash forced): grouping, eviction and a
/// checkpoint's snapshot behave as with distinct hashes.
struct CorrelatorHashCollisionTests {
    func record(_ id: String, ms: Int64, seq: Int64, hash: UInt64? = 42) -> LogRecord {
        var r = LogRecord(
            time: ms * 1_000_000, timeKnown: true, kind: .log, position: SourcePosition(input: 0, line: seq, offset: 0))
        r.requestID = id
        if let hash { r.requestIDHash = hash }
        r.sequence = seq
        return r
    }

    @Test func idsWithOneHashGroupApart() {
        var c = Correlator(options: CorrelationOptions())
        for (seq, id) in ["a", "b", "a", "c", "b", "a"].enumerated() {
            c.add(record(id, ms: Int64(seq), seq: Int64(seq)))
        }
        #expect(c.openGroups == 3)
        c.finish()
        let closed = c.drainClosed()
        #expect(closed.map(\.requestID) == ["a", "b", "c"])
        #expect(closed.map(\.records) == [3, 2, 1])
    }

    @Test func evictionClosesTheLeastRecentlySeenAndRemembersIt() {
        var o = CorrelationOptions()
        o.maxOpenGroups = 2
        var c = Correlator(options: o)
        c.add(record("a", ms: 0, seq: 0))
        c.add(record("b", ms: 1, seq: 1))
        c.add(record("a", ms: 2, seq: 2))
        c.add(record("c", ms: 3, seq: 3))  // b is the least recently seen
        c.add(record("d", ms: 4, seq: 4))  // then a
        let evicted = c.drainClosed()
        #expect(evicted.map(\.requestID) == ["b", "a"])
        #expect(evicted.map(\.flags) == [.partial, .partial])
        c.add(record("b", ms: 5, seq: 5))  // evicts c; b continues a partial group
        let next = c.drainClosed()
        #expect(next.map(\.requestID) == ["c"])
        c.finish()
        let rest = c.drainClosed()
        #expect(rest.map(\.requestID) == ["d", "b"])
        #expect(rest.map(\.flags) == [[], .partial])
    }

    @Test func canonicallyEquivalentIdsShareAGroup() {
        var c = Correlator(options: CorrelationOptions())
        c.add(record("caf\u{E9}", ms: 0, seq: 0, hash: nil))
        c.add(record("cafe\u{301}", ms: 1, seq: 1, hash: nil))
        #expect(c.openGroups == 1)
    }

    @Test func snapshotRestoresGroupsThatShareAHashInTheirOrder() {
        var o = CorrelationOptions()
        o.retainRecords = true
        var c = Correlator(options: o)
        for (seq, id) in ["a", "b", "c", "d", "b", "a"].enumerated() {
            c.add(record(id, ms: Int64(seq), seq: Int64(seq)))
        }
        let s = c.snapshot()
        var restored = Correlator(options: o)
        restored.restore(s)
        let again = restored.snapshot()
        #expect(again.groups.map { $0.records.map(\.sequence) } == s.groups.map { $0.records.map(\.sequence) })
        #expect(again.groups.map { $0.records.first?.requestID } == ["c", "d", "b", "a"])
        for var x in [c, restored] {
            x.add(record("c", ms: 6, seq: 6))
            x.finish()
            #expect(x.drainClosed().map { "\($0.requestID!)\($0.records)" } == ["a2", "b2", "c2", "d1"])
        }
    }

    @Test func snapshotRestoresTheMemoryOfClosedIds() {
        var o = CorrelationOptions()
        o.retainRecords = true
        o.maxOpenGroups = 2
        // Real hashes, ids chosen to share a home bucket of the smallest table.
        let home = RequestIDHash.of("r0") & 15
        let ids: [String] = (0..<1000).map { "r\($0)" }.filter { RequestIDHash.of($0) & 15 == home }
        var c = Correlator(options: o)
        for (seq, id) in ids.prefix(4).enumerated() { c.add(record(id, ms: Int64(seq), seq: Int64(seq), hash: nil)) }
        #expect(c.drainClosed().map(\.requestID) == Array(ids.prefix(2)))
        var restored = Correlator(options: o)
        restored.restore(c.snapshot())
        #expect(restored.snapshot().closed.map(\.id) == Array(ids.prefix(2)))
        for var x in [c, restored] {
            x.add(record(ids[1], ms: 5, seq: 5, hash: nil))
            x.finish()
            let flags = x.drainClosed().filter { $0.requestID == ids[1] }.map(\.flags)
            #expect(flags == [.partial])
        }
    }
}

/// The open group's inline state has a budget (issue 13: ≤ 1 KiB per open group at 100k open, measured by
/// `auditpipe-bench`'s open-groups rows): fields most groups lack live out of line (`GroupExtras`).
struct GroupAccumulatorSizeTests {
    @Test func anOpenGroupStaysWithinItsInlineBudget() {
        #expect(MemoryLayout<GroupAccumulator?>.stride <= 352)
    }

    /// A group that keeps its records appends each in place: its array is reallocated only as it grows
    /// (a few dozen times for 4,000 records), never copied per record. Holding a second reference to the box
    /// while appending made every append copy the array: 20,000 records in one group took 46 s, not 0.5 s.
    @Test(arguments: [(true, false), (false, true), (true, true)])
    func keptRecordsAreAppendedInPlace(embed: Bool, retain: Bool) {
        func record(_ i: Int) -> LogRecord {
            var r = LogRecord(
                time: Int64(i) * 1_000_000, timeKnown: true, kind: .log,
                position: SourcePosition(input: 0, line: Int64(i + 1), offset: Int64(i) * 80))
            r.requestID = "R"
            return r
        }
        var g = GroupAccumulator.opened(by: record(0), embed: embed, retain: retain)
        func buffer() -> UnsafeRawPointer? {
            let kept = (embed ? g.embedded : g.retained) ?? []
            return kept.withUnsafeBufferPointer { $0.baseAddress.map { UnsafeRawPointer($0) } }
        }
        var moves = 0
        for i in 1..<4_000 {
            let before = buffer()
            g.add(record(i))
            if buffer() != before { moves += 1 }
        }
        #expect(g.records == 4_000)
        #expect((embed ? g.embedded?.count : g.retained?.count) == 4_000)
        #expect(moves < 40, "the kept records' array moved \(moves) times in 4,000 appends")
    }
}
