import Foundation
import Testing

@testable import AuditPipe

/// Text patterns (regex and grok), id patterns and syslog year inference, at parse time.
struct TextPatternTests {
    func parse(_ line: String, _ options: ParseOptions, service: String? = "file") -> LogRecord? {
        var parser = LineParser(options: options)
        var bytes = Array(line.utf8)
        let parsed = bytes.withUnsafeMutableBufferPointer {
            parser.parse(
                UnsafeBufferPointer($0), position: SourcePosition(input: 0, line: 1, offset: 0), fileService: service)
        }
        guard case .record(let r, _, _) = parsed else { return nil }
        return r
    }

    func options(_ patterns: [String], definitions: [String: String] = [:], include: Bool = true) throws
        -> ParseOptions
    {
        var o = ParseOptions()
        o.textPatterns = try patterns.map { try TextPattern($0, definitions: definitions) }
        o.includeRecords = include
        return o
    }

    func error(_ pattern: String, definitions: [String: String] = [:]) -> String? {
        do {
            _ = try TextPattern(pattern, definitions: definitions)
            return nil
        } catch {
            return error.rendered
        }
    }

    /// From a new-user trial: the usual first grok pattern (time, level, message) turned off the built-in id
    /// detection, so `request_id=r2` in the message grouped nothing.
    @Test func aPatternWithoutAnIDGroupLeavesTheBuiltInIDsInTheText() throws {
        let o = try options(["%{TIMESTAMP_ISO8601:time} %{LOGLEVEL:level} %{GREEDYDATA:message}"])
        let r = try #require(parse("2024-05-14 09:00:00,500 INFO saved order request_id=r2 took=3ms", o))
        #expect(r.requestID == "r2")
        let uuid = "req-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
        let t = try #require(parse("2024-05-14 09:00:00,700 INFO [\(uuid)] sql query", o))
        #expect(t.requestID == uuid)
        let none = try #require(parse("2024-05-14 09:00:00,900 INFO no id here", o))
        #expect(none.requestID == nil)
    }

    @Test func namedGroupsFillTheRecordAndOtherNamesBecomeFields() throws {
        let o = try options([
            #"^(?<time>\S+) (?<level>\w+) (?<service>\w+) \[(?<request_id>[^\]]+)\] (?<user>\w+) (?<pid>\d+) (?<message>.*)$"#
        ])
        let r = try #require(parse("2024-05-14T09:00:00.038Z WARN orders [abc-1] alice 42 slow query", o))
        #expect(r.time == 1_715_677_200_038_000_000)
        #expect(r.timeKnown)
        #expect(r.level == .warn)
        #expect(r.service == "orders")
        #expect(r.requestID == "abc-1")
        #expect(r.actor.user == "alice")
        #expect(r.message == "slow query")
        #expect(r.extra?.map(\.key) == ["request_id", "user", "pid"])
        #expect(r.extra?.first { $0.key == "pid" }?.value == .string("42"))
    }

    @Test func grokFieldsAreTypedAndHTTPGroupsMakeAnAPIRecord() throws {
        let o = try options([
            #"%{IP:ip} %{WORD:method} %{URIPATH:path}(?:%{URIPARAM:query_string})? %{INT:status:int} %{NUMBER:took:float}ms"#
        ])
        let r = try #require(parse("10.0.0.7 GET /api/orders/7?x=1 200 12.5ms", o))
        #expect(r.actor.ip == "10.0.0.7")
        #expect(r.http?.method == "GET")
        #expect(r.http?.path == "/api/orders/7")
        #expect(r.http?.status == 200)
        #expect(r.extra?.first { $0.key == "took" }?.value == .number("12.5"))
        #expect(r.extra?.first { $0.key == "status" }?.value == .number("200"))
    }

    @Test func patternsAreTriedInOrderAndUnmatchedLinesFallBackToTheBuiltInParsers() throws {
        let o = try options([#"^A (?<request_id>\w+)"#, #"^(?<request_id>\w+) B"#])
        #expect(parse("A one B", o)?.requestID == "one")
        #expect(parse("two B", o)?.requestID == "two")
        let plain = try #require(parse("2024-05-14T09:00:00Z INFO nothing here request_id=r9", o))
        #expect(plain.requestID == "r9")
        #expect(parse(#"{"request_id":"j1"}"#, o)?.requestID == "j1")
    }

    @Test func aCatastrophicPatternGivesUpOnALineInsteadOfHanging() throws {
        let o = try options([#"^(?<request_id>(?:a+)+)b"#])
        let start = ContinuousClock.now
        let r = try #require(parse(String(repeating: "a", count: 5000) + " request_id=r1", o))
        #expect(r.requestID == "r1")
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test func userGrokDefinitionsAreUsed() throws {
        let o = try options([#"job %{JOBID:request_id} done"#], definitions: ["JOBID": "[a-z]+-%{INT}"])
        #expect(parse("job render-42 done", o)?.requestID == "render-42")
    }

    @Test func anEnrichmentCaptureReadsAPatternField() throws {
        var o = try options([#"^(?<service>\w+)\[(?<pid>\d+)\]"#], include: false)
        o.captureFields = ["pid"]
        let r = try #require(parse("sshd[24200]: hello", o))
        #expect(r.captured?.first ?? nil == .string("24200"))
        #expect(r.extra == nil)
    }

    @Test func aBadRegexIsReportedWithACaretUnderItsFault() {
        #expect(
            error(#"(?<request_id>\w+"#)
                == "bad regular expression: missing closing parenthesis\n  (?<request_id>\\w+\n                   ^")
        #expect(
            error(#"%{WORD:request_id} [a-"#)
                == "bad regular expression: missing terminating ] for character class\n  %{WORD:request_id} [a-\n                        ^"
        )
    }

    @Test func anUnknownGrokNameIsReportedWithACaret() {
        #expect(
            error(#"%{TIMESTAMP_ISO8601:time} %{LOGLEVL:level}"#)
                == "unknown grok pattern 'LOGLEVL' (did you mean LOGLEVEL?)\n  %{TIMESTAMP_ISO8601:time} %{LOGLEVL:level}\n                              ^"
        )
        #expect(
            error(#"%{WORD:request-id}"#)
                == "a grok field name is letters, digits and '_', not starting with a digit; got 'request-id'\n  %{WORD:request-id}\n         ^"
        )
        #expect(
            error(#"%{WORD:request_id:long}"#)
                == "a grok field type is int, float or string; got 'long'\n  %{WORD:request_id:long}\n                    ^"
        )
        #expect(
            error(#"%{LOOP:request_id}"#, definitions: ["LOOP": "a%{LOOP}"])
                == "grok pattern 'LOOP' refers to itself\n  %{LOOP:request_id}\n  ^")
    }

    /// From a new-user trial: a group name used twice was accepted, and which one filled the field was luck.
    @Test func aGroupNameUsedTwiceIsRefusedAtItsSecondUse() {
        let why =
            "the group name 'request_id' is used twice; give each group its own name, or put the alternatives inside one group: (?<request_id>A|B)"
        #expect(
            error(#"(?J)(?<request_id>\d+) (?<request_id>\w+)"#)
                == "\(why)\n  (?J)(?<request_id>\\d+) (?<request_id>\\w+)\n                         ^")
        #expect(
            error(#"%{INT:request_id} %{WORD:request_id}"#)
                == "\(why)\n  %{INT:request_id} %{WORD:request_id}\n                           ^")
        #expect(error(#"(?<request_id>\d+|[a-z]+)"#) == nil)
    }

    /// From a new-user trial: a pattern written for Logstash (`clientip`, `verb`, `request`, `response`,
    /// `timestamp`, `loglevel`) filled no record field; ECS's dotted names were refused without a hint.
    @Test func logstashAndECSFieldNamesFillTheWellKnownFields() throws {
        let o = try options([
            #"^%{IP:clientip} \[%{TIMESTAMP_ISO8601:timestamp}\] %{LOGLEVEL:loglevel} "%{WORD:verb} %{NOTSPACE:request}" %{INT:response} %{QS:agent}$"#
        ])
        let r = try #require(parse(#"10.0.0.7 [2026-11-21T10:00:00Z] WARN "GET /api/orders/7?x=1" 404 "curl/8.0""#, o))
        #expect(r.actor.ip == "10.0.0.7" && r.actor.userAgent == "curl/8.0")
        #expect(r.timeKnown && r.level == .warn)
        #expect(r.http?.method == "GET" && r.http?.path == "/api/orders/7" && r.http?.status == 404)
        #expect(JSONValue.object(r.extra ?? [])["verb"]?.scalarText == "GET")
        let ecs = try #require(
            parse(
                "POST /x 201",
                try options([#"^(?<http_request_method>\w+) (?<url_path>\S+) (?<http_response_status_code>\d+)$"#])))
        #expect(ecs.http?.method == "POST" && ecs.http?.path == "/x" && ecs.http?.status == 201)
        for nested in ["[http][request][method]", "http.request.method"] {
            #expect(
                error("%{WORD:\(nested)} %{NOTSPACE:path}")?.hasPrefix(
                    "a grok field name is letters, digits and '_', not starting with a digit; got '\(nested)' (did you mean 'method'?)"
                ) == true)
        }
    }

    /// From a new-user trial: a YAML block scalar (`- |`) ends with a line break, which made the pattern (and a
    /// grok definition) match no line at all.
    @Test func aPatternsFinalLineBreakIsNoPartOfIt() throws {
        let o = try options(["^%{JOB:request_id} done\n"], definitions: ["JOB": "job-[0-9]+\r\n"])
        #expect(parse("job-42 done", o)?.requestID == "job-42")
    }

    @Test func definitionsThatDoubleAtEveryLevelAreBounded() {
        var definitions = ["D0": "ab"]
        for k in 1...30 { definitions["D\(k)"] = "%{D\(k - 1)}%{D\(k - 1)}" }
        #expect(
            error("%{D30:request_id}", definitions: definitions)?.hasPrefix("the pattern expands past 1048576 bytes")
                == true)
    }

    @Test func aPatternWithoutAKnownGroupIsReportedAtItsFirstGroup() {
        #expect(
            error(#"^\w+ (?<reqid>\w+)"#)
                == "the pattern's groups (reqid) fill no record field; name at least one group action, entity_id, entity_type, ip, level, message, method, path, request_id, service, status, time, user, user_agent, user_id, e.g. (?<request_id>…) or %{UUID:request_id}\n  ^\\w+ (?<reqid>\\w+)\n       ^"
        )
        #expect(
            error(#"^\w+ \d+"#)
                == "the pattern names no group; name at least one group action, entity_id, entity_type, ip, level, message, method, path, request_id, service, status, time, user, user_agent, user_id, e.g. (?<request_id>…) or %{UUID:request_id}\n  ^\\w+ \\d+\n  ^"
        )
    }

    @Test func theIDPatternCanonicalizesEveryExtractedID() throws {
        var o = ParseOptions()
        o.idPattern = try RequestIDPattern(#"(?i)([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"#)
        let id = "0f8fad5b-d9cb-469f-a165-70867728950e"
        #expect(parse(#"{"request_id":"req-0F8FAD5B-D9CB-469F-A165-70867728950E"}"#, o)?.requestID == id)
        #expect(parse(#"{"request_id":"urn:uuid:\#(id)"}"#, o)?.requestID == id)
        #expect(parse(#"{"request_id":"\#(id)"}"#, o)?.requestID == id)
        #expect(parse(#"{"request_id":"job-7"}"#, o)?.requestID == "job-7")
        // Without a group the whole match is the id; a match that is no UUID keeps its case.
        o.idPattern = try RequestIDPattern(#"[A-Z]+-\d+"#)
        #expect(parse(#"{"request_id":"ticket JOB-7 (retry)"}"#, o)?.requestID == "JOB-7")
        #expect(throws: PatternError.self) { try RequestIDPattern("(unclosed") }
    }

    /// From a new-user trial (issue 14): `(\d+)|req-` made `req-abc` and `req-xyz` one id, `req-`: the whole
    /// match stood in for a group 1 that took no part in it.
    @Test func anIDWhoseGroupTookNoPartInTheMatchStaysAsItIs() throws {
        var o = ParseOptions()
        o.idPattern = try RequestIDPattern(#"(\d+)|req-"#)
        #expect(parse(#"{"request_id":"req-abc"}"#, o)?.requestID == "req-abc")
        #expect(parse(#"{"request_id":"req-xyz"}"#, o)?.requestID == "req-xyz")
        #expect(parse(#"{"request_id":"job 42"}"#, o)?.requestID == "42")
        let input =
            #"{"ts":"2026-11-21T10:00:00Z","request_id":"req-abc"}"# + "\n"
            + #"{"ts":"2026-11-21T10:00:01Z","request_id":"req-xyz"}"# + "\n"
        let r = try AuditPipeBinary.run(
            [
                "correlate", "-", "-q", "--id-pattern", #"(\d+)|req-"#, "--output-format", "csv", "--columns",
                "request_id",
            ],
            stdin: Data(input.utf8))
        #expect(String(decoding: r.stdout, as: UTF8.self) == "request_id\r\nreq-abc\r\nreq-xyz\r\n", "\(r.stderr)")
    }

    @Test func aSyslogYearComesFromTheReferenceTimeAndRollsBackAcrossNewYear() {
        func year(_ line: String, reference: String) -> Int {
            var ref = reference
            let refNs = ref.withUTF8 { TimestampParser(assumedYear: 1970).parseValue($0) }!
            let p = TimestampParser(assumedYear: 1999, yearReference: refNs / UTCTime.second)
            var l = line
            let ns = l.withUTF8 { p.parseLeading($0, at: 0) }!.0
            return UTCTime.civil(days: ns / UTCTime.second / 86_400).year
        }
        #expect(year("Dec 10 06:55:46 host sshd[1]: x", reference: "2026-12-11T00:00:00Z") == 2026)
        #expect(year("Dec 31 23:59:59 host sshd[1]: x", reference: "2027-01-02T08:00:00Z") == 2026)
        #expect(year("Jan  2 07:00:00 host sshd[1]: x", reference: "2027-01-02T08:00:00Z") == 2027)
        // A line a few hours ahead of the file's clock (a local time east of UTC) is not a year back.
        #expect(year("Jan  2 20:00:00 host sshd[1]: x", reference: "2027-01-02T08:00:00Z") == 2027)
        #expect(year("Jan  1 00:10:00 host sshd[1]: x", reference: "2026-12-31T23:00:00Z") == 2027)
        #expect(TimestampParser(assumedYear: 2024).syslogYear(month: 12, day: 31, seconds: 0) == 2024)
    }

    @Test func anInputsYearReferenceIsItsFilesModificationTime() throws {
        let tmp = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let file = tmp.appendingPathComponent("auth.log")
        try "Dec 31 23:00:00 h sshd[1]: x\n".write(to: file, atomically: true, encoding: .utf8)
        let modified = Date(timeIntervalSince1970: 1_798_848_000)  // 2027-01-02T00:00:00Z
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: file.path)
        var o = ParseOptions()
        o.inferYear = true
        #expect(o.resolvingYear(for: InputSpec(path: file.path)).yearReference == 1_798_848_000)
        o.inferYear = false
        #expect(o.resolvingYear(for: InputSpec(path: file.path)).yearReference == nil)
    }

    @Test(arguments: ["%{COMBINEDAPACHELOG}", "%{HTTPD_COMBINEDLOG}"])
    func aRealApacheCombinedLineFillsTheRecord(pattern: String) throws {
        let line =
            #"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif?x=1 HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)""#
        let r = try #require(parse(line, try options([pattern])))
        #expect(UTCTime.rfc3339Millis(r.time) == "2000-10-10T20:55:36.000Z")
        #expect(r.actor.ip == "127.0.0.1")
        #expect(r.actor.user == "frank")
        #expect(r.actor.userAgent == "Mozilla/4.08 [en] (Win98; I ;Nav)")
        #expect(r.http?.method == "GET")
        #expect(r.http?.path == "/apache_pb.gif")
        #expect(r.http?.status == 200)
        let fields = JSONValue.object(r.extra ?? [])
        #expect(fields["referrer"]?.scalarText == "http://www.example.com/start.html")
        #expect(fields["bytes"] == .number("2326"))
        #expect(fields["http_version"]?.scalarText == "1.0")
        #expect(r.notes.pattern == 1)
        // The common form has no referrer or agent; a request line that is not `METHOD target` is `request`.
        let common = try #require(
            parse(#"198.51.100.7 - - [10/Oct/2000:13:55:37 -0700] "-" 408 -"#, try options(["%{COMMONAPACHELOG}"])))
        #expect(common.actor.user == nil)
        #expect(common.http?.status == 408 && common.http?.method == nil && common.http?.path == nil)
        #expect(JSONValue.object(common.extra ?? [])["rawrequest"]?.scalarText == "-")
    }

    @Test func quotedStringCapturesDropTheirQuotesAndUnescape() throws {
        let o = try options([#"^%{WORD:action} %{QS:message} %{QUOTEDSTRING:note} %{QS:user_agent}$"#])
        let r = try #require(parse(#"login "said \"hi\" \\ there" 'it\'s' """#, o))
        #expect(r.action == "login")
        #expect(r.message == #"said "hi" \ there"#)
        #expect(JSONValue.object(r.extra ?? [])["note"]?.scalarText == "it's")
        #expect(r.actor.userAgent == nil)
        // A group that is not a quoted string keeps its quotes.
        let raw = try #require(parse(#"login "x""#, try options([#"^%{WORD:action} (?<message>".*")$"#])))
        #expect(raw.message == #""x""#)
    }

    /// From a new-user trial: a `status` group without `method` and `path`, and an `entity_id` group without
    /// `entity_type`, were dropped.
    @Test func aStatusOrEntityIDGroupAloneIsUsed() throws {
        let o = try options([#"^(?<request_id>\S+) done (?<status>\d+)(?: order=(?<entity_id>\d+))?"#])
        let r = try #require(parse("r1 done 503 order=42", o))
        #expect(r.http?.status == 503 && r.http?.method == nil)
        #expect(r.entityHint == EntityRef(type: nil, id: "42"))
        // At the event: the status is the outcome's, and the route's entity type goes with the pattern's id.
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = """
            2026-11-20T10:00:00Z r1 GET /api/orders
            2026-11-20T10:00:01Z r1 done 503 order=42
            2026-11-20T10:00:02Z r2 done 201

            """
        try text.write(to: dir.appendingPathComponent("app.log"), atomically: true, encoding: .utf8)
        let run = try AuditPipeBinary.run(
            [
                "correlate", "app.log", "-o", "events.jsonl",
                "--text-pattern", #"^(?<time>\S+) (?<request_id>\S+) (?<method>GET) (?<path>\S+)$"#,
                "--text-pattern",
                #"^(?<time>\S+) (?<request_id>\S+) done (?<status>\d+)(?: order=(?<entity_id>\d+))?$"#,
            ], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        let events = try String(contentsOf: dir.appendingPathComponent("events.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let byID = Dictionary(uniqueKeysWithValues: events.map { ($0["request_id"] as? String ?? "", $0) })
        let r1Outcome = byID["r1"]?["outcome"] as? [String: Any]
        let r1Entity = byID["r1"]?["entity"] as? [String: Any]
        #expect(r1Outcome?["status"] as? Int == 503 && r1Outcome?["result"] as? String == "error")
        #expect(r1Entity?["type"] as? String == "order" && r1Entity?["id"] as? String == "42")
        #expect((byID["r2"]?["outcome"] as? [String: Any])?["status"] as? Int == 201)
    }
}
