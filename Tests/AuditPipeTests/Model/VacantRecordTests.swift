import Testing

@testable import AuditPipe

/// `drainInOrder` fills each emptied slot of a batch with the bytes of a vacant record, which is sound only while
/// a vacant record holds no reference: every stored field an optional (nil) or a plain value, all the way down.
/// A field added as a non-optional `String`, array or class instance fails this test, not a run.
struct VacantRecordTests {
    /// Plain value types a field may be (no reference inside).
    static let plain: Set<String> = [
        "Int64", "Int32", "UInt64", "UInt16", "UInt8", "Int", "Bool", "RecordKind", "SourcePosition", "ParseNotes",
    ]

    /// Paths of the fields that hold or may hold a reference in the vacant record.
    static func references(in value: Any, path: String) -> [String] {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional { return mirror.children.isEmpty ? [] : [path + " (not nil)"] }
        let type = String(describing: Swift.type(of: value))
        if plain.contains(type) { return [] }
        if mirror.displayStyle == .struct {
            return mirror.children.flatMap { references(in: $0.value, path: path + "." + ($0.label ?? "?")) }
        }
        return [path + " (\(type))"]
    }

    @Test func aVacantRecordHoldsNoReference() {
        let vacant = LogRecord(
            time: 0, timeKnown: false, kind: .log, position: SourcePosition(input: 0, line: 0, offset: 0))
        #expect(Self.references(in: vacant, path: "LogRecord") == [])
        // The check itself sees a reference where there is one.
        var named = vacant
        named.requestID = "r-1"
        #expect(Self.references(in: named, path: "LogRecord") == ["LogRecord.storedRequestID (not nil)"])
        #expect(Self.references(in: [1], path: "x") == ["x (Array<Int>)"])
    }
}

/// `takeRecords` moves part of a batch out, leaving vacant records behind: the records handed on are the ones
/// that were there, in order, and the rest of the batch is untouched.
struct TakeRecordsTests {
    @Test func theTakenRecordsAreTheBatchsAndTheRestStay() {
        var batch: [LogRecord] = (0..<10).map { i in
            let at = SourcePosition(input: 0, line: Int64(i), offset: 0)
            var r = LogRecord(time: Int64(i), timeKnown: true, kind: .log, position: at)
            r.requestID = "r-\(i)"
            r.service = "svc-\(i % 3)"
            r.actor.user = String(repeating: "u", count: 20 + i)
            return r
        }
        var taken: [LogRecord] = []
        batch.takeRecords(3..<7) { taken.append($0) }
        #expect(taken.map(\.requestID) == ["r-3", "r-4", "r-5", "r-6"])
        #expect(taken.map(\.actor.user) == (3..<7).map { String(repeating: "u", count: 20 + $0) })
        #expect(batch[3..<7].allSatisfy { $0.requestID == nil && $0.service == nil && $0.actor.isEmpty })
        #expect(batch[0..<3].map(\.requestID) == ["r-0", "r-1", "r-2"])
        #expect(batch[7...].map(\.service) == ["svc-1", "svc-2", "svc-0"])
    }
}
