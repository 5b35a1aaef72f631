import Foundation
import Testing

@testable import AuditPipe

/// Whether a record's request id needs `RequestIDRule.normalize` is found where the id is set (`idIrregular`),
/// so the joiner does not read the id's bytes; every way a record gets an id must set the mark, or a padded id
/// would group apart from the bare one.
struct RequestIDMarkTests {
    static let ids = [
        "abc", " abc", "abc ", "\tabc", "abc\t", "a b c", "", " ", String(repeating: "x", count: 256),
        String(repeating: "x", count: 257), "é ",
    ]

    @Test func settingAnIDMarksItAsTheRuleReadsIt() {
        for id in Self.ids {
            var r = LogRecord(
                time: 0, timeKnown: true, kind: .log, position: SourcePosition(input: 0, line: 1, offset: 0))
            r.requestID = id
            #expect(r.idIrregular == RequestIDRule.changes(id), "\(id.debugDescription)")
            r.requestID = RequestIDRule.normalize(id)
            #expect(!r.idIrregular, "normalized \(id.debugDescription)")
            r.requestID = nil
            #expect(!r.idIrregular)
        }
    }

    @Test func aParsedRecordIsMarkedAsTheRuleReadsIt() {
        for id in Self.ids + [nil] {
            let r = LogRecord.parsed(
                time: 0, timeKnown: true, level: nil, kind: .log, isEndMarker: false,
                position: SourcePosition(input: 0, line: 1, offset: 0), requestID: id, requestIDHash: nil,
                service: nil, message: nil, user: nil, userID: nil, ip: nil, userAgent: nil, http: nil, action: nil,
                entityHint: nil, extra: nil,
                captured: nil)
            #expect(r.idIrregular == (id.map(RequestIDRule.changes) ?? false), "\(String(describing: id))")
        }
    }

    @Test func takingTheIDLeavesItsHash() {
        var r = LogRecord(time: 0, timeKnown: true, kind: .log, position: SourcePosition(input: 0, line: 1, offset: 0))
        r.requestID = "r-1"
        let hash = r.requestIDHash
        #expect(r.takeRequestID() == "r-1")
        #expect(r.requestID == nil && r.requestIDHash == hash && hash == RequestIDHash.of("r-1"))
    }

    /// Padded ids from each parser that sets them, through the joiner: every line groups with the bare id.
    @Test func paddedIDsFromEveryParserGroupWithTheBareID() throws {
        let lines = [
            #"{"ts":"2026-11-21T10:00:00Z","request_id":"  r-1 ","msg":"json"}"#,
            "ts=2026-11-21T10:00:00.100Z request_id=\"\tr-1\" msg=logfmt",
            #"2026-11-21 10:00:00.200 INFO [api] request_id=" r-1 " text line"#,
            #"2026-11-21 10:00:00.250 INFO [api] request_id=r-1 text line"#,
            #"{"ts":"2026-11-21T10:00:00.300Z","request_id":"r-1","msg":"bare"}"#,
        ]
        let r = try HostileInputTests.correlate(["a.log": Data((lines.joined(separator: "\n") + "\n").utf8)])
        #expect(r.status == 0)
        #expect(r.events.count == 1)
        #expect(r.events.first?["request_id"] as? String == "r-1")
        #expect(r.events.first?["records"] as? Int == 5)
    }
}
