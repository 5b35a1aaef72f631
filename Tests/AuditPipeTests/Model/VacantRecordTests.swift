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
