import Foundation
import Testing

@testable import AuditPipe

/// A string compares as a number only when it is a JSON number. From a new-user trial: `"0x10"`, `"0x1p4"`,
/// `"16."` and `"+16"` equalled 16 and `"infinity"` was past every bound (Swift's `Double(_:)` reads them all).
struct NumericTextTests {
    @Test(arguments: [
        ("16", 16.0), ("-16", -16), ("0", 0), ("-0", 0), ("16.0", 16), ("-1.5e3", -1500), ("2E+2", 200),
        ("0.25", 0.25),
    ])
    func jsonNumbersAreNumbers(text: String, value: Double) {
        #expect(NumericText.value(text) == value)
    }

    @Test(arguments: [
        "0x10", "0x1p4", "16.", "+16", ".5", "inf", "infinity", "-inf", "nan", "NaN", "1e", "016", " 16", "16 ", "",
        "-", "1_000", "١٦",
    ])
    func otherTextIsText(text: String) {
        #expect(NumericText.value(text) == nil)
    }

    @Test func aFilterComparesOnlyJSONNumbersNumerically() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let values = ["16", "16.0", "0x10", "0x1p4", "16.", "+16", "infinity", "1e3"]
        var lines = ""
        for (i, v) in values.enumerated() {
            lines += #"{"time":"2026-11-21T10:00:0\#(i)Z","request_id":"h\#(i)","msg":"m","v":"\#(v)"}"# + "\n"
        }
        let file = dir.appendingPathComponent("h.jsonl")
        try lines.write(to: file, atomically: true, encoding: .utf8)
        func ids(_ expression: String) throws -> [String] {
            let r = try AuditPipeBinary.run(
                ["filter", "--records", expression, file.path, "-q", "--output-format", "csv", "--columns", "fields.v"])
            #expect(r.status == 0, "\(r.stderr)")
            return String(decoding: r.stdout, as: UTF8.self).components(separatedBy: "\r\n").dropFirst().filter {
                !$0.isEmpty
            }
        }
        #expect(try ids("fields.v == 16") == ["16", "16.0"])
        #expect(try ids("fields.v > 100") == ["1e3"])
        // A quoted literal is text, for ordering as for `==`: byte order ("infinity" after "5", "16" before it).
        #expect(try ids(#"fields.v > "5""#) == ["infinity"])
        let atLeast = try ids(#"fields.v >= "16""#)
        #expect(try atLeast == ids(#"fields.v > "16" or fields.v == "16""#))
    }
}
