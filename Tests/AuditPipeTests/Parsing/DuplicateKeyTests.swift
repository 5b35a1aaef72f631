import Foundation
import Testing

@testable import AuditPipe

/// A key given twice in one object: the record's own fields take its first value (documented), `fields` and
/// every object kept as a tree (payload, query) its last, where the first stood, as jq, Python and JavaScript
/// read it. Both copies were kept: a filter and a CSV column read the first, a JSON reader the last.
struct DuplicateKeyTests {
    /// The reading of jq and Python: one member per key, at its first place, with its last value.
    static func reference(_ members: [JSONMember]) -> [JSONMember] {
        var out: [JSONMember] = []
        for m in members {
            if let i = out.firstIndex(where: { $0.key == m.key }) {
                out[i].value = m.value
            } else {
                out.append(m)
            }
        }
        return out
    }

    @Test func keepingTheLastOfEachKeyAgreesWithTheReferenceOnRandomObjects() {
        var rng = SplitMix64(seed: 41)
        for round in 0..<3_000 {
            // Small and large objects (the sizes either side of the pairwise check), few or many distinct keys.
            let count = Int(rng.next() % (round % 3 == 0 ? 60 : 20))
            let alphabet = 1 + Int(rng.next() % 40)
            let members = (0..<count).map { k in
                JSONMember("k\(rng.next() % UInt64(alphabet))", .number(String(k)))
            }
            var got = members
            got.keepLastOfEachKey()
            #expect(got == Self.reference(members), "\(members.map(\.key))")
        }
    }

    static func parse(_ line: String) -> LogRecord? {
        var options = ParseOptions()
        options.includeRecords = true
        var parser = LineParser(options: options)
        var bytes = Array(line.utf8)
        let parsed = bytes.withUnsafeMutableBufferPointer {
            parser.parse(
                UnsafeBufferPointer($0), position: SourcePosition(input: 0, line: 1, offset: 0), fileService: "f")
        }
        guard case .record(let r, _, _) = parsed else { return nil }
        return r
    }

    @Test func aJSONLineKeepsTheFirstForItsRecordAndTheLastInItsFieldsAndTrees() throws {
        let r = try #require(
            Self.parse(
                #"{"ts":"2026-11-21T10:00:00Z","request_id":"d1","user":"first","x":"1","user":"last","x":"2","#
                    + #""method":"POST","path":"/api/v1/orders","status":201,"body":{"dup":1,"a":true,"dup":2}}"#))
        #expect(r.actor.user == "first")
        #expect(r.extra?.map(\.key) == ["request_id", "user", "x", "method", "path", "status", "body"])
        #expect(r.extra?.first { $0.key == "x" }?.value == .string("2"))
        #expect(r.extra?.first { $0.key == "user" }?.value == .string("last"))
        #expect(r.http?.body == .object([JSONMember("dup", .number("2")), JSONMember("a", .bool(true))]))
    }

    @Test func aLogfmtLineKeepsTheLastInItsFields() throws {
        let r = try #require(Self.parse(#"time=2026-11-21T10:00:00Z level=info x=1 y=a x=2 msg="m""#))
        #expect(r.extra?.filter { $0.key == "x" } == [JSONMember("x", .string("2"))])
    }

    /// What a user sees: the filter, the CSV column and a JSON reader of the output agree.
    @Test func theFilterTheCSVAndTheJSONAgree() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("dup.jsonl")
        try
            (#"{"ts":"2026-11-21T10:00:00Z","request_id":"d1","user":"first","user":"last","x":"1","x":"2","msg":"m"}"#
            + "\n").write(to: file, atomically: true, encoding: .utf8)
        let matched = try AuditPipeBinary.run(["filter", "--records", #"fields.x == "2""#, file.path, "-q"])
        #expect(matched.status == 0, "\(matched.stderr)")
        let line = String(decoding: matched.stdout, as: UTF8.self)
        #expect(line.contains(#""fields":{"request_id":"d1","user":"last","x":"2"}"#), "\(line)")
        let csv = try AuditPipeBinary.run(
            ["filter", "--records", "true", file.path, "-q", "--output-format", "csv", "--columns", "user,fields.x"])
        #expect(String(decoding: csv.stdout, as: UTF8.self) == "user,fields.x\r\nfirst,2\r\n")
    }
}
