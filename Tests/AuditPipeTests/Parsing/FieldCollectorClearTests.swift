import Testing

@testable import AuditPipe

/// A parser keeps one `FieldCollector` for all its lines, so `clear()` must leave nothing of a line behind: a
/// collector with every field set is, once cleared, what a new one is.
struct FieldCollectorClearTests {
    @Test func clearedCollectorIsANewOne() {
        let bytes: [UInt8] = Array("abc123".utf8)
        bytes.withUnsafeBufferPointer { b in
            var c = FieldCollector()
            c.time = 1
            c.timeRank = 0
            c.notes.pattern = 3
            c.notes.yearAssumed = true
            c.level = .error
            c.messageBytes = b
            c.messageString = "boom"
            c.service = "orders"
            c.serviceRank = 0
            c.offer(.requestID(rank: 0), b, timestamps: TimestampParser(assumedYear: 2026))
            c.user = "alice"
            c.userID = "u-1"
            c.ip = "10.0.0.1"
            c.userAgent = "curl"
            c.method = "GET"
            c.path = "/a"
            c.url = "/a?b=1"
            c.route = "/a/{id}"
            c.query = .object([JSONMember("b", .number("1"))])
            c.status = 200
            c.headers = .object([JSONMember("x-request-id", .string("r"))])
            c.headersInPlace = true
            c.headerSpans = [HeaderSpan(key: b, value: b)]
            c.body = .string("payload")
            c.endStage = true
            c.statusAlone = true
            c.action = "view"
            c.errorCode = "E1"
            c.errorMessage = "bad"
            c.entityType = "order"
            c.entityID = "o-1"
            c.extra = [JSONMember("k", .bool(true))]
            c.captured = [.string("v")]

            let fresh = Mirror(reflecting: FieldCollector()).children.map { "\($0.label ?? ""): \($0.value)" }
            let set = Mirror(reflecting: c).children.map { "\($0.label ?? ""): \($0.value)" }
            #expect(fresh.count == set.count)
            for (a, b) in zip(fresh, set) {
                #expect(a != b, "set every field here (a new one must be cleared by clear() too)")
            }
            c.clear()
            #expect(Mirror(reflecting: c).children.map { "\($0.label ?? ""): \($0.value)" } == fresh)
        }
    }
}
