import Testing

@testable import AuditPipe

/// Which lines join the record above them.
struct ContinuationLineTests {
    /// From the second formats trial (OpenStack neutron DEBUG logs): a pretty-printed payload under a record had
    /// its indented `{` lines dead-lettered as invalid JSON while the lines around them joined the record.
    @Test func anIndentedBraceLineThatIsNoJSONJoinsTheRecordAbove() {
        let header = "2026-11-21 10:00:00.123 1234 DEBUG neutron.agent.rpc [req-6f1c0d1e-1111-2222-3333-444455556666"
        let lines = [
            header + " - - - -] Sending payload:", "    {", #"      "port": {"#, #"        "id": 1"#, "      }",
            "    }", "2026-11-21 10:00:01.000 1234 INFO neutron.agent.rpc [-] done", "\t{",
        ]
        let records = YearlessTimeTests.records(lines, ParseOptions())
        #expect(records.map(\.lineCount) == [6, 2])
    }

    /// A `{` at column 0 that is no JSON stays a dead letter: a JSON record cut short never joins a trace.
    @Test func aBraceLineAtColumnZeroThatIsNoJSONIsNeverAContinuation() {
        let records = YearlessTimeTests.records(["2026-11-21 10:00:00 INFO app: payload:", "{", "  }"], ParseOptions())
        #expect(records.map(\.lineCount) == [2])
        var parser = LineParser(options: ParseOptions())
        var line = "{"
        let parsed = line.withUTF8 {
            parser.parse($0, position: SourcePosition(input: 0, line: 1, offset: 0), fileService: nil)
        }
        guard case .rejected(.invalidJSON, _, let hint) = parsed else {
            Issue.record("a bare { at column 0 was not dead-lettered as invalid JSON")
            return
        }
        #expect(hint == ContinuationHint.none)
    }
}
