import Foundation
import Testing

@testable import AuditPipe

/// RFC 5424 and RFC 3164 (with `<PRI>`) syslog lines, detected per line or pinned with `--format syslog`.
struct SyslogParserTests {
    func parse(_ line: String, format: InputFormat = .auto, include: Bool = true) -> ParsedLine {
        var o = ParseOptions()
        o.format = format
        o.includeRecords = include
        o.assumedYear = 2026
        var parser = LineParser(options: o)
        var bytes = Array(line.utf8)
        return bytes.withUnsafeMutableBufferPointer {
            parser.parse(
                UnsafeBufferPointer($0), position: SourcePosition(input: 0, line: 1, offset: 0), fileService: "file")
        }
    }

    func record(_ line: String, format: InputFormat = .auto) throws -> LogRecord {
        guard case .record(let r, _, _) = parse(line, format: format) else {
            Issue.record("not a record: \(line)")
            throw CancellationError()
        }
        return r
    }

    @Test(arguments: [InputFormat.auto, .syslog])
    func theRFCExampleGivesTimeLevelServiceMessageAndStructuredData(format: InputFormat) throws {
        let r = try record(
            #"<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su 1234 ID47 [exampleSDID@32473 iut="3" eventSource="Application"] 'su root' failed"#,
            format: format)
        #expect(UTCTime.rfc3339Millis(r.time) == "2003-10-11T22:14:15.003Z")
        #expect(r.level == .fatal)  // severity 2, critical
        #expect(r.service == "su")
        #expect(r.message == "'su root' failed")
        let fields = JSONValue.object(r.extra ?? [])
        #expect(fields["facility"]?.scalarText == "4")
        #expect(fields["host"]?.scalarText == "mymachine.example.com")
        #expect(fields["procid"]?.scalarText == "1234")
        #expect(fields["msgid"]?.scalarText == "ID47")
        #expect(fields["exampleSDID@32473"]?["iut"]?.scalarText == "3")
        #expect(fields["exampleSDID@32473"]?["eventSource"]?.scalarText == "Application")
    }

    @Test func knownParamsFillTheRecordAndEscapesAreUndone() throws {
        let r = try record(
            #"<86>1 2026-11-21T10:00:00.120-02:00 web-1 orders 311 - [meta request_id="abc-1" user="alice" note="a \"q\" \] \\"][origin ip="203.0.113.9"] ok"#
        )
        #expect(r.requestID == "abc-1")
        #expect(r.actor.user == "alice")
        #expect(r.actor.ip == "203.0.113.9")
        #expect(UTCTime.rfc3339Millis(r.time) == "2026-11-21T12:00:00.120Z")
        #expect(JSONValue.object(r.extra ?? [])["meta"]?["note"]?.scalarText == #"a "q" ] \"#)
    }

    @Test func nilValuesAndAMessageIDInTheTextAreRead() throws {
        let r = try record("<190>1 2026-11-21T10:00:01Z web-2 - - - - charge done request_id=16fd2706")
        #expect(r.service == "file")
        #expect(r.level == .info)
        #expect(r.requestID == "16fd2706")
        let empty = try record("<13>1 - - - - - -")
        #expect(!empty.timeKnown)
        #expect(empty.level == .notice)
    }

    @Test func rfc3164WithAPriorityIsRead() throws {
        let r = try record("<38>Nov 21 10:00:02 web-2 sshd[4242]: Accepted publickey for bob")
        #expect(UTCTime.rfc3339Millis(r.time) == "2026-11-21T10:00:02.000Z")
        #expect(r.service == "sshd")
        #expect(r.level == .info)
        #expect(r.message == "Accepted publickey for bob")
        #expect(JSONValue.object(r.extra ?? [])["procid"]?.scalarText == "4242")
    }

    @Test func aMalformedLineIsADeadLetterWithItsReason() {
        for format in [InputFormat.auto, .syslog] {
            guard
                case .rejected(let reason, let detail, _) = parse(
                    #"<34>1 2026-11-21T10:00:03Z h app 1 - [x a="1" no"#, format: format)
            else {
                Issue.record("accepted a broken structured data block (\(format))")
                continue
            }
            #expect(reason == .unrecognized)
            #expect(detail == SyslogParser.malformed)
        }
        guard case .rejected(_, let detail, _) = parse("plain words", format: .syslog) else {
            Issue.record("--format syslog accepted a line without <PRI>")
            return
        }
        #expect(detail.contains("not an RFC 5424 or RFC 3164 syslog line"))
        // Auto detection leaves other `<` lines to the other parsers.
        guard case .record = parse("<html> not syslog") else {
            Issue.record("a line starting with < that is not syslog was rejected")
            return
        }
    }

    /// From a new-user trial: with `--format syslog` a JSON line was glued onto the syslog message above it.
    @Test func aJSONLineUnderFormatSyslogIsNeverAContinuation() {
        guard case .rejected(_, _, let hint) = parse(#"{"time":"2026-11-21T10:00:01Z","msg":"k"}"#, format: .syslog)
        else {
            Issue.record("--format syslog accepted a JSON line")
            return
        }
        #expect(hint == ContinuationHint.none)
    }

    /// From the second formats trial: a line that starts as syslog (`<PRI>`) but whose priority, version or
    /// structured data is malformed was glued onto the record above under `--format syslog`; it is a dead
    /// letter saying so.
    @Test func aMalformedSyslogLineUnderFormatSyslogIsNeverAContinuation() {
        for line in [
            "<999>1 2026-11-21T10:00:03Z h app 1 - - bad priority",
            "<14>2 2026-11-21T10:00:03Z h app 1 - - bad version",
            #"<34>1 2026-11-21T10:00:03Z h app 1 - [x a="1" no"#,
        ] {
            guard case .rejected(_, let detail, let hint) = parse(line, format: .syslog) else {
                Issue.record("--format syslog accepted \(line)")
                continue
            }
            #expect(hint == ContinuationHint.none, "\(line)")
            #expect(detail == SyslogParser.malformed, "\(line)")
        }
    }
}
