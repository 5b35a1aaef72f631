import Foundation
import Testing

@testable import AuditPipe

/// Apache 2.4's error log writes the level as `[module:level]` after the ctime; the built-in text parser reads
/// it as the record's level (issue 14, from a new-user trial: `[core:error]` lines had no level).
struct ApacheErrorLevelTests {
    func record(_ line: String) throws -> LogRecord {
        var o = ParseOptions()
        o.format = .text
        o.includeRecords = true
        o.assumedYear = 2026
        var parser = LineParser(options: o)
        var bytes = Array(line.utf8)
        let parsed = bytes.withUnsafeMutableBufferPointer {
            parser.parse(
                UnsafeBufferPointer($0), position: SourcePosition(input: 0, line: 1, offset: 0), fileService: "file")
        }
        guard case .record(let r, _, _) = parsed else {
            Issue.record("not a record: \(line)")
            throw CancellationError()
        }
        return r
    }

    @Test(arguments: [
        ("core:error", LogLevel.error), ("mpm_event:notice", .notice), ("ssl:warn", .warn), ("authz_core:info", .info),
        ("proxy:debug", .debug), ("core:crit", .fatal), ("core:alert", .fatal), ("core:emerg", .fatal),
        ("ssl:trace1", .trace), ("http2:trace8", .trace),
    ])
    func theModuleLevelBracketAfterTheCtimeIsTheLevel(bracket: String, level: LogLevel) throws {
        let r = try record(
            "[Wed Oct 11 14:32:52.123456 2026] [\(bracket)] [pid 35708:tid 4328636416] [client 72.15.99.187] AH00128: File does not exist"
        )
        #expect(r.level == level)
        #expect(r.timeKnown)
    }

    @Test func aBracketWithAnUnknownLevelLeavesTheLevelUnset() throws {
        let r = try record("[Wed Oct 11 14:32:52.123456 2026] [core:trace9] [pid 35708] something happened")
        #expect(r.level == nil)
    }
}
