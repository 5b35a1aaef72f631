import Foundation
import Testing

/// `-q` keeps stderr quiet: no summary and no echoed dead letters (which a user reads as an error); without
/// it, the first dead letters are echoed when no dead-letter file is given.
struct QuietFlagTests {
    static let input = Data(
        (#"{"ts":"2026-11-21T10:00:00.000Z","service":"gateway","request_id":"r1","msg":"ok"}"# + "\n"
            + "\u{1}\u{2} not a log line\n").utf8)

    @Test func quietRunEchoesNothing() throws {
        let quiet = try AuditPipeBinary.run(["correlate", "-", "-q"], stdin: Self.input)
        #expect(quiet.status == 0, "\(quiet.stderr)")
        #expect(quiet.stderr.isEmpty, "\(quiet.stderr)")
        let loud = try AuditPipeBinary.run(["correlate", "-"], stdin: Self.input)
        #expect(loud.stderr.contains("dead letter"), "\(loud.stderr)")
    }
}
