import Foundation
import Testing

@testable import AuditPipe

/// A JSON document that does not parse whole (cut short, one record too deep) keeps the records that do parse and
/// hands the rest on to be dead-lettered. Before, every record of it was lost: its lines went on as they were,
/// the indented ones joined to one text record, and no dead letter said so (a new-user trial on CloudTrail).
struct JSONDocumentSalvageTests {
    /// The lines a document source hands on for `bytes`.
    static func lines(_ bytes: [UInt8], maxDepth: Int = 64) throws -> [String] {
        var upstream: any ByteSource = MemorySource(bytes)
        var source = try JSONDocumentSource(prefix: [], upstream: &upstream, name: "doc", maxDepth: maxDepth)
        var out: [UInt8] = []
        while try source.read(into: &out, max: 1 << 16) > 0 {}
        return String(decoding: out, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    static func records(_ count: Int, _ rng: inout SplitMix64) -> [[String: Any]] {
        (0..<count).map { i in
            [
                "eventID": "id-\(i)", "eventName": "Get\(Int.random(in: 0..<9, using: &rng))",
                "requestParameters": ["a": [1, 2, ["b": "x\\\"]\(i)"]], "c": NSNull()], "n": i,
            ]
        }
    }

    /// Every cut of a document, in each of its shapes: the records wholly before the cut are handed on as the
    /// whole document's are, and what is left (if anything) is one line that does not parse (a dead letter).
    @Test(arguments: ["array", "Records", "har", "data"], [false, true])
    func everyCutKeepsTheRecordsBeforeItAndDeadLettersTheRest(shape: String, pretty: Bool) throws {
        var rng = SplitMix64(seed: 7)
        let records = Self.records(6, &rng)
        let document: Any =
            switch shape {
            case "array": records
            case "har": ["log": ["version": "1.2", "creator": ["name": "x"], "entries": records]]
            default: [shape: records, "other": ["k": [1, [2]]]]
            }
        let bytes = Array(
            try JSONSerialization.data(
                withJSONObject: document, options: pretty ? [.prettyPrinted, .sortedKeys] : [.sortedKeys]))
        let whole = try Self.lines(bytes)
        #expect(whole.count == 6)
        var cuts = Set((0..<40).map { _ in Int.random(in: 1..<bytes.count, using: &rng) })
        cuts.insert(bytes.count - 1)
        for cut in cuts.sorted() {
            let got = try Self.lines(Array(bytes[..<cut]))
            // The records whose closing brace came before the cut.
            let kept = got.prefix { line in whole.contains(line) }
            #expect(Array(whole.prefix(kept.count)) == Array(kept), "cut \(cut)")
            let rest = got.dropFirst(kept.count)
            #expect(rest.count <= 1, "cut \(cut): \(rest.count) lines left")
            for line in rest {
                let parsed = line.utf8.withContiguousStorageIfAvailable { b -> Bool in
                    var s = JSONScanner(b, maxDepth: 64)
                    return (try? s.parseValue(depth: 0)) != nil && s.pos == b.count
                }
                #expect(parsed == false, "cut \(cut): the rest parses: \(line.prefix(80))")
            }
            // Nothing lost: the records before the cut are all there.
            let text = String(decoding: bytes[..<cut], as: UTF8.self)
            let begun = (0..<6).filter { text.contains("\"id-\($0)\"") }.count
            #expect(kept.count >= begun - 1, "cut \(cut): \(kept.count) kept of \(begun) begun")
        }
    }

    /// One record nested deeper than the cap: the others are handed on, it is one line that the line parser
    /// dead-letters (before, all 45 records of the trial's CloudTrail file were lost).
    @Test func aRecordTooDeepIsOneDeadLetterAndTheOthersAreKept() throws {
        var deep = "1"
        for _ in 0..<70 { deep = "{\"a\": \(deep)}" }
        let text =
            "{\n  \"Records\": [\n    {\"eventID\": \"1\"},\n    {\"eventID\": \"2\", \"p\": \(deep)},\n"
            + "    {\"eventID\": \"3\"}\n  ]\n}\n"
        let got = try Self.lines(Array(text.utf8))
        #expect(got.count == 3)
        #expect(got.first == #"{"eventID":"1"}"#)
        #expect(got.last == #"{"eventID":"3"}"#)
        #expect(got[1].hasPrefix("\u{0}JSON:\u{0}a record of a JSON document: nesting deeper than 64"))
        #expect(got[1].contains(#"{"eventID": "2""#))
    }

    /// A new-user trial's damaged documents: a stray byte, a NUL, a stray quote, a missing comma, a stray `]`,
    /// text after the document, elements that are not objects. Every whole record is kept, and each damaged part
    /// is one rejected line (dead-lettered with its reason), never a text record; before, the records after the
    /// damage went into one dead letter or became text events, with no dead letter.
    @Test(arguments: [
        ("x", ",x{\"k\": 3, \"v\": 1}", 4, 1),
        ("nul", ",\u{0}{\"k\": 3, \"v\": 1}", 4, 1),
        ("stray quote", ",{\"k\": 3, \"v\": \"a\"\"}", 3, 1),
        ("missing comma", "{\"k\": 3, \"v\": 1}", 4, 0),
        ("stray bracket", ",] {\"k\": 3, \"v\": 1}", 4, 0),
        ("not objects", ",42,\"s\",null", 3, 3),
    ])
    func aDamagedPartIsOneDeadLetterAndEveryWholeRecordIsKept(
        what: String, damage: String, records: Int, rejected: Int
    ) throws {
        for records0 in [#"{"Records":["#, "["] {
            let close = records0 == "[" ? "]" : "]}"
            let text =
                records0 + #"{"k": 1, "v": 1},{"k": 2, "v": 1}"# + damage + #",{"k": 4, "v": 1}"# + close
                + "\ntrailing words\n"
            let got = try Self.lines(Array(text.utf8))
            let kept = got.filter { $0.hasPrefix("{") }
            let bad = got.filter { $0.hasPrefix("\u{0}JSON:") }
            #expect(kept.count == records, "\(what): \(got)")
            #expect(bad.count == rejected + 1, "\(what): \(got)")
            #expect(kept.count + bad.count == got.count, "\(what): \(got)")
            #expect(kept.first == #"{"k":1,"v":1}"# && kept.last == #"{"k":4,"v":1}"#, "\(what)")
        }
    }

    /// What standard input's head must show to be read whole as a document: a record array named, never just a
    /// JSON-lines stream's first line (a live stream held to its end would send nothing until it ends).
    @Test func standardInputIsReadWholeOnlyWhenItsHeadNamesARecordArray() {
        let documents = [
            "{\n  \"Records\": [\n", "{\"Records\":[{\"a\":1}]}", "{\"Records\": [", "[\n  {\"a\": 1}", "[{\"a\":1}]",
            "{\n  \"log\": {\n", "{\n \"data\": [", "\u{FEFF}{\n\"kind\": \"EventList\"",
        ]
        let streams = [
            "{\"data\":{\"user\":\"a\"},\"time\":\"t\"}\n", "{\"kind\":\"EventList\",\"items\":[]}\n",
            "{\"log\":{\"x\":1}}\n", "{\"Records\":\"x\"}\n", "{\n  \"time\": \"t\",\n", "{\"time\":\"t\"}\n",
            "[2026-11-21 10:00:00] INFO x\n",
        ]
        for d in documents { #expect(JSONDocumentSource.looksLikeDocument(Array(d.utf8), named: true), "\(d)") }
        for s in streams { #expect(!JSONDocumentSource.looksLikeDocument(Array(s.utf8), named: true), "\(s)") }
    }

    /// A pretty-printed CloudTrail document on standard input is read as one, as the same file is.
    @Test func aDocumentOnStandardInputIsReadAsTheFileIs() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SplitMix64(seed: 3)
        let records = Self.records(5, &rng).enumerated().map { i, r in
            r.merging(["eventTime": "2026-11-0\(i + 1)T10:00:00Z", "requestID": "r\(i)"]) { a, _ in a }
        }
        let data = try JSONSerialization.data(withJSONObject: ["Records": records], options: [.prettyPrinted])
        try data.write(to: dir.appendingPathComponent("trail.json"))
        let file = try AuditPipeBinary.run(["correlate", "trail.json", "-o", "file.jsonl"], in: dir)
        let piped = try AuditPipeBinary.run(["correlate", "-", "-o", "stdin.jsonl"], in: dir, stdin: data)
        #expect(file.status == 0 && piped.status == 0, "\(piped.stderr)")
        let count = { (name: String) in
            String(decoding: (try? Data(contentsOf: dir.appendingPathComponent(name))) ?? Data(), as: UTF8.self)
                .split(separator: "\n").count
        }
        #expect(count("file.jsonl") == 5)
        #expect(count("stdin.jsonl") == 5)
        #expect(piped.stderr.contains("5 lines read = 5 in 5 records + 0 dead-lettered"))
    }
}
