import Foundation
import Testing

/// Filters compare text as logged, byte for byte.
struct TextEqualityTests {
    /// Text compares byte for byte, as logged: `==` and `in` took a decomposed `cafe\u{301}` for `café` (Swift's
    /// `String` equality) where `contains`, globs, the index and jq do not (a second new-user trial).
    @Test func textComparesByteForByte() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("u.jsonl")
        try
            (#"{"time":"2026-11-21T10:00:01Z","request_id":"n1","user":"caf\u00e9","msg":"m"}"# + "\n"
            + #"{"time":"2026-11-21T10:00:02Z","request_id":"n2","user":"cafe\u0301","msg":"m"}"# + "\n")
            .write(to: file, atomically: true, encoding: .utf8)
        for expression in [#"user == "café""#, #"user in ["café", "x"]"#, #"user contains "é""#, #"user >= "café""#] {
            let r = try AuditPipeBinary.run(
                [
                    "filter", "--records", expression, file.path, "-q", "--output-format", "csv", "--columns",
                    "request_id",
                ])
            #expect(String(decoding: r.stdout, as: UTF8.self) == "request_id\r\nn1\r\n", "\(expression)")
        }
        let r = try AuditPipeBinary.run(
            [
                "filter", "--records", #"user != "café""#, file.path, "-q", "--output-format", "csv", "--columns",
                "request_id",
            ])
        #expect(String(decoding: r.stdout, as: UTF8.self) == "request_id\r\nn2\r\n")
    }
}
