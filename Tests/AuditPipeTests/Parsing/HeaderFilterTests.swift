import Foundation
import Testing

@testable import AuditPipe

/// A headers object is built only for the headers a record reads (`JSONScanner.parseObject(depth:keeping:)` with
/// `JSONLineParser.names`). Against the whole tree (`parseValue`) on random header objects: every header lookup
/// `FieldCollector.build` makes gives the same value, and a malformed object fails with the same error at the
/// same column. Read in place (`JSONLineParser.scanHeaders` into `HeaderSpan`s), every lookup gives the same value
/// again, and an object the tree read rejects is never taken in place.
struct HeaderFilterTests {
    /// The default id fields and one with a `k`, whose upper case has a non-ASCII twin (the Kelvin sign, 3 bytes).
    static let idNames = FieldRoleTable(idFields: defaultRequestIDFields + ["track_id", "kkkkkkkkk"]).headerIDNames

    @Test func lookupsAndErrorsMatchTheWholeTree() throws {
        var rng = SplitMix64(seed: 77)
        let wanted = Self.idNames + FieldCollector.fieldHeaderNames
        let table = ByteKeyTable(wanted.map { ($0, true) })
        let longest = wanted.map(\.utf8.count).max() ?? 0
        let lookups = [Self.idNames, ["traceparent"], ["user-agent"], ["x-forwarded-for", "x-real-ip"]]
        let parser = JSONLineParser(
            roles: FieldRoleTable(idFields: defaultRequestIDFields + ["track_id", "kkkkkkkkk"]),
            timestamps: TimestampParser(assumedYear: 2026), maxDepth: 4, keepExtra: false)
        var kept = 0
        var failed = 0
        var inPlace = 0
        for _ in 0..<3_000 {
            let text = Self.randomObject(&rng)
            let bytes = Array(text.utf8)
            try bytes.withUnsafeBufferPointer { b in
                var whole = JSONScanner(b, maxDepth: 4)
                var filtered = JSONScanner(b, maxDepth: 4)
                let full: Result<JSONValue, JSONSyntaxError> = Result { () throws(JSONSyntaxError) in
                    try whole.parseValue(depth: 1)
                }
                let part: Result<JSONValue, JSONSyntaxError> = Result { () throws(JSONSyntaxError) in
                    try filtered.parseObject(depth: 1) { raw, decoded in
                        JSONLineParser.names(table, longest: longest, contain: raw, decoded: decoded)
                    }
                }
                var spanning = JSONScanner(b, maxDepth: 4)
                var spans: [HeaderSpan] = []
                let spanned = (try? parser.scanHeaders(&spanning, depth: 1, into: &spans)) == true
                switch (full, part) {
                case (.success(let f), .success(let p)):
                    #expect(whole.pos == filtered.pos, "\(text)")
                    for names in lookups {
                        #expect(
                            FieldCollector.header(f, names: names) == FieldCollector.header(p, names: names), "\(text)")
                        if spanned {
                            #expect(
                                HeaderSpan.value(in: spans, names: names) == FieldCollector.header(f, names: names),
                                "\(text)")
                        }
                    }
                    if spanned {
                        #expect(spanning.pos == whole.pos, "\(text)")
                        inPlace += 1
                    }
                    if case .object(let m) = p { kept += m.count }
                case (.failure(let f), .failure(let p)):
                    #expect(f.reason == p.reason && f.column == p.column, "\(text)")
                    #expect(!spanned, "\(text)")
                    failed += 1
                default:
                    Issue.record("one parse failed, the other did not: \(text)")
                }
            }
        }
        #expect(kept > 1_000 && failed > 100 && inPlace > 500)
    }

    /// An object of wanted and other headers in any case, escaped or not, with values of every kind; now and
    /// then cut short or broken inside a member that is skipped.
    static func randomObject(_ rng: inout SplitMix64) -> String {
        let names = [
            "User-Agent", "user-agent", "USER-AGENT", #"User\u002dAgent"#, "X-Request-Id", "x-request-id",
            "X-Correlation-ID", "traceparent", "Traceparent", "X-Forwarded-For", "x-real-ip", "X-Real-IP",
            "Authorization", "Accept", "Cookie", "x-requestid", "user-agents", "Ⅹ-Real-IP", "ÜSER-AGENT", "",
            "request_id", "X-Amzn-Trace-Id", #"x-re\u0061l-ip"#, "Trac\u{212A}_Id", "TRACK_ID",
            String(repeating: "\u{212A}", count: 9),
        ]
        let values = [
            #""Mozilla/5.0 (X11; Linux x86_64)""#, #""""#, #""10.0.0.1, 10.0.0.2""#, "42", "true", "null",
            #"["a","b"]"#, "[]", #"{"nested":{"deep":[1,2,{"x":"y"}]}}"#,
            #""00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01""#,
            #""esc\"aped\u00e9""#, "-1.5e3",
        ]
        let n = Int(rng.next() % 6)
        var members: [String] = []
        for _ in 0..<n {
            let k = names[Int(rng.next() % UInt64(names.count))]
            let v = values[Int(rng.next() % UInt64(values.count))]
            members.append("\"\(k)\":\(v)")
        }
        var text = "{" + members.joined(separator: rng.next() % 8 == 0 ? " , " : ",") + "}"
        switch rng.next() % 10 {
        case 0: text = String(text.dropLast(Int(rng.next() % UInt64(max(1, text.count)))))
        case 1: text = text.replacingFirst("[1,2", with: "[1,,2")
        case 2: text = text.replacingFirst(":", with: " ")
        case 3: text = #"{"Accept":{"a":{"b":{"c":{"d":1}}}},"User-Agent":"x"}"#
        default: break
        }
        return text
    }
}

extension String {
    fileprivate func replacingFirst(_ a: String, with b: String) -> String {
        guard let r = range(of: a) else { return self }
        return replacingCharacters(in: r, with: b)
    }
}
