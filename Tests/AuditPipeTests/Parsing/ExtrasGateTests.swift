import Foundation
import Testing

@testable import AuditPipe

/// `filter --records` parses a line without its extra fields first and keeps that lean record when its settled
/// paths already rule the filter out (`ExtrasGate`). The lean parse must accept exactly the lines the whole
/// parse accepts and read the same values; the three-valued verdict must never rule out a record the filter
/// keeps; and a run must write the same bytes and count the same lines with the gate as without it.
struct ExtrasGateTests {
    /// Every field of a record but its extras and message (which a lean parse leaves out), as text.
    static func settled(_ r: LogRecord) -> String {
        let h = r.http.map { h in
            "\(h.method ?? "-") \(h.path ?? "-") \(h.route ?? "-") \(String(describing: h.query)) \(h.status ?? -1) \(String(describing: h.body))"
        }
        return [
            "\(r.time) \(r.timeKnown) \(String(describing: r.level)) \(r.kind) \(r.isEndMarker) \(r.lineCount)",
            "\(r.position.line) \(r.position.offset) \(r.requestID ?? "-") \(r.requestIDHash)",
            "\(r.service ?? "-") \(r.notes)",
            "\(r.actor.user ?? "-") \(r.actor.userID ?? "-") \(r.actor.ip ?? "-") \(r.actor.userAgent ?? "-")",
            h ?? "no http", "\(String(describing: r.statedTime)) \(r.action ?? "-")",
            "\(r.entityHint?.type ?? "-") \(r.entityHint?.id ?? "-") \(String(describing: r.captured))",
        ].joined(separator: " | ")
    }

    /// The lines of a demo dump, and each again cut short or with a byte changed (broken JSON, logfmt, text).
    static func lines(seed: UInt64) -> [[UInt8]] {
        var demo = DemoGenerator(requests: 400, seed: seed)
        var bytes: [UInt8] = []
        demo.run { bytes += $0 }
        var rng = SplitMix64(seed: seed)
        var out: [[UInt8]] = []
        let noise: [UInt8] = Array(#"{}[]",:\ =0a"#.utf8)
        for line in bytes.split(separator: 10, omittingEmptySubsequences: false) {
            let line = Array(line)
            out.append(line)
            guard !line.isEmpty else { continue }
            var cut = line
            cut.removeLast(Int(rng.next() % UInt64(line.count)))
            out.append(cut)
            var changed = line
            changed[Int(rng.next() % UInt64(line.count))] = noise[Int(rng.next() % UInt64(noise.count))]
            out.append(changed)
        }
        out.append(
            Array(#"<34>1 2026-11-21T10:00:00Z host app 12 ID47 [exampleSDID@32473 iut="3" user="bob"] msg"#.utf8))
        out.append(
            Array(#"<34>1 2026-11-21T10:00:00Z host app 12 ID47 [exampleSDID@32473 iut="3" user="bob" msg"#.utf8))
        return out
    }

    /// A parser that keeps extras, and one whose lean parse is `filter`'s.
    static func parsers(_ filter: FilterExpression = .constant(false)) -> (whole: LineParser, lean: LineParser) {
        var options = ParseOptions()
        options.includeRecords = true
        let whole = LineParser(options: options)
        options.extrasFor = filter
        return (whole, LineParser(options: options))
    }

    /// Lines whose roles lie in nested objects, dotted and escaped keys, an error code, logfmt: where a lean parse
    /// that reads only some roles must still descend (`user.name`, `userIdentity…userName`) or may skip.
    static let nestedLines: [String] = [
        #"{"eventTime":"2026-11-21T10:00:00Z","userIdentity":{"type":"IAMUser","sessionContext":{"sessionIssuer":{"userName":"alice"}}},"eventName":"GetObject","eventSource":"s3"}"#,
        #"{"eventTime":"2026-11-21T10:00:01Z","errorCode":"AccessDenied","errorMessage":"no","userIdentity":{"userName":"bob"}}"#,
        #"{"@timestamp":"2026-11-21T10:00:02Z","user":{"name":"alice","id":"7"},"log":{"level":"error"},"service":{"name":"billing"}}"#,
        #"{"time":"2026-11-21T10:00:03Z","http":{"request":{"method":"GET","headers":{"user":"mallory"}}},"user.name":"carol"}"#,
        #"{"ts":1763719204.5,"user":"alice","service":"billing","lvl":"warn","req":{"user":"x"}}"#,
        #"{"time":"2026-11-21T10:00:05Z","user":"-","username":"dave","service":"","app":"billing","level":50}"#,
        #"{"time":"2026-11-21T10:00:06Z","headers":{"x-user":"alice"},"user":{"name":{"first":"al"}},"level":"info"}"#,
        #"{"time":"2026-11-21T10:00:07Z","userIdentity":{"sessionContext":[1,2,{"a":"b"}]},"user":["alice"]}"#,
        #"time=2026-11-21T10:00:08Z level=error user=alice service=billing msg="x" request_id=r-1 method=GET"#,
        #"ts=2026-11-21T10:00:09Z lvl=info user="bo"b" svc=pay status=500 path=/a"#,
    ]

    /// The lean parse of each filter against the whole parse, on demo lines (each also cut short and with a byte
    /// changed) and nested ones: the same lines accepted, rejected for the same reasons; the same time, notes and
    /// hints (what the joiner reads); the same values of the roles the filter reads; the same verdict.
    @Test(arguments: [
        #"kind == "api""#, #"user == "alice""#, #"service == "billing" and level in ["warn", "error"]"#,
        #"not (user == "bob") or level == "error""#, "false",
    ])
    func theLeanParseAcceptsWhatTheWholeParseAcceptsAndReadsTheSameValues(filter text: String) throws {
        let filter = try FilterParser.parse(text, for: .records)
        var (whole, lean) = Self.parsers(filter)
        let roles = filter.leanRoles
        var records = 0
        var withExtras = 0
        var ruledOut = 0
        let lines = Self.lines(seed: 5) + Self.nestedLines.map { Array($0.utf8) }
        for (k, line) in lines.enumerated() {
            let position = SourcePosition(input: 0, line: Int64(k + 1), offset: Int64(k))
            let (a, b) = line.withUnsafeBufferPointer {
                (
                    whole.parse($0, position: position, fileService: nil),
                    lean.parseLean($0, position: position, fileService: nil)
                )
            }
            let shown = String(decoding: line, as: UTF8.self)
            switch (a, b) {
            case (.record(let x, let hx, let tx), .record(let y, let hy, let ty)):
                records += 1
                if !(x.extra ?? []).isEmpty { withExtras += 1 }
                #expect(y.extra == nil || y.extra!.isEmpty, "\(shown)")
                #expect(hx == hy && tx == ty)
                #expect(filter.verdict(parsed: x) == filter.verdict(parsed: y), "\(text): \(shown)")
                if filter.verdict(parsed: y) == false { ruledOut += 1 }
                #expect(
                    "\(x.time) \(x.timeKnown) \(x.notes) \(x.position) \(x.lineCount)"
                        == "\(y.time) \(y.timeKnown) \(y.notes) \(y.position) \(y.lineCount)", "\(shown)")
                if roles.isAll {
                    // Errors keep their message (it is their outcome's error); a lean parse keeps no other.
                    if x.level ?? .info >= .error { #expect(x.message == y.message) } else { #expect(y.message == nil) }
                    #expect(Self.settled(x) == Self.settled(y), "\(shown)")
                    continue
                }
                if roles.contains(.user) { #expect(x.actor.user == y.actor.user, "\(shown)") }
                if roles.contains(.service(rank: 0)) { #expect(x.service == y.service, "\(shown)") }
                if roles.contains(.level) { #expect(x.level == y.level, "\(shown)") }
                // Of a JSON line, what the filter does not read is not read: no request id, no HTTP fields.
                if line.first == UInt8(ascii: "{") { #expect(y.requestID == nil && y.http == nil, "\(shown)") }
            case (.rejected(let rx, let dx, let hx), .rejected(let ry, let dy, let hy)):
                #expect(rx == ry && dx == dy && hx == hy, "\(shown)")
            case (.blank, .blank), (.rowContinuation, .rowContinuation):
                break
            default:
                Issue.record("whole \(a) but lean \(b): \(shown)")
            }
        }
        // The lines did exercise the extras: most records have fields the roles do not read.
        #expect(records > 3_000 && withExtras > records / 2, "\(records) records, \(withExtras) with extras")
        if text != "kind == \"api\"" { #expect(ruledOut > 100, "\(ruledOut) ruled out") }
    }

    /// The roles each filter's lean parse reads.
    @Test func aFilterReadsTheRolesOfItsSettledPathsAndTheTime() throws {
        func roles(_ text: String) throws -> RoleMask { try FilterParser.parse(text, for: .records).leanRoles }
        #expect(try roles("false") == RoleMask([.time(rank: 0)]))
        #expect(try roles(#"user == "a" and message contains "b""#) == RoleMask([.time(rank: 3), .user]))
        #expect(try roles(#"not (service == "a")"#) == RoleMask([.time(rank: 0), .service(rank: 4)]))
        #expect(try roles(#"level == "error""#) == RoleMask([.time(rank: 0), .level, .errorCode]))
        for text in [#"ip == "10.0.0.1""#, #"user == "a" or status >= 500"#, #"kind == "api""#, #"path ~ "/a*""#] {
            #expect(try roles(text).isAll, "\(text)")
        }
    }

    /// Random expressions over settled and unsettled paths, on every record of a dump: a verdict, when there is
    /// one, is what the filter says of the whole record.
    @Test func aVerdictIsWhatTheFilterSaysOfTheWholeRecord() throws {
        var (whole, _) = Self.parsers()
        var records: [LogRecord] = []
        for (k, line) in Self.lines(seed: 9).enumerated() {
            let p = SourcePosition(input: 0, line: Int64(k + 1), offset: 0)
            if case .record(let r, _, _) = line.withUnsafeBufferPointer({
                whole.parse($0, position: p, fileService: nil)
            }) {
                records.append(r)
            }
        }
        let leaves = [
            #"user == "alice""#, #"user != null"#, #"level == "error""#, #"level in ["warn", "error"]"#,
            #"service == "billing""#, #"kind == "api""#, #"status >= 500"#, #"status == 4xx"#, #"method == "POST""#,
            #"path ~ "/api/v1/orders*""#, #"path contains "export""#, #"ip =~ "^10\\.""#, #"route != null"#,
            #"message contains "timeout""#, #"request_id == null"#, #"time >= "2026-11-21T10:00:05Z""#,
            #"fields.rows > 100"#, #"source contains ":1""#,
        ]
        var rng = SplitMix64(seed: 23)
        func expression(_ depth: Int) -> String {
            switch depth > 2 ? 0 : rng.next() % 4 {
            case 0: return leaves[Int(rng.next() % UInt64(leaves.count))]
            case 1: return "(\(expression(depth + 1)) and \(expression(depth + 1)))"
            case 2: return "(\(expression(depth + 1)) or \(expression(depth + 1)))"
            default: return "not \(expression(depth + 1))"
            }
        }
        var decided = 0
        for _ in 0..<300 {
            let text = expression(0)
            let filter = try FilterParser.parse(text, for: .records)
            for r in records.prefix(600) {
                guard let verdict = filter.verdict(parsed: r) else { continue }
                decided += 1
                let whole = withUnsafePointer(to: r) { filter.matches(LogRecordSubject(record: $0, enricher: nil)) }
                #expect(verdict == whole, "\(text)")
            }
            if filter.canBeRuledOutWhenParsed == false {
                #expect(records.prefix(600).allSatisfy { filter.verdict(parsed: $0) != false }, "\(text)")
            }
        }
        #expect(decided > 10_000)
    }

    /// `filter --records` over a demo dump with the gate and without it: the same bytes, the same counts.
    @Test(arguments: [
        #"user == "alice""#, #"level == "error" and service == "billing""#, #"not (user == "alice")"#,
        #"message contains "token""#, #"user == "bob" or fields.rows > 100"#, #"status >= 500"#,
        #"path ~ "/api/v1/orders*" and not (method in ["GET"])"#, #"kind == "api" and time >= "2026-11-21T10:00:05Z""#,
        #"false"#,
    ])
    func aRunWritesTheSameRecordsWithTheGateAsWithout(filter text: String) async throws {
        let (dir, url) = try PipelineTests.dump(requests: 2_500, seed: 31)
        defer { try? FileManager.default.removeItem(at: dir) }
        func run(gated: Bool) async throws -> (Data, RunStats) {
            var options = PipelineOptions()
            options.parse.includeRecords = true
            options.recordFilter = try FilterParser.parse(text, for: .records)
            // A filter no parse rules out: every line is parsed with its extras.
            if !gated { options.parse.extrasFor = .constant(true) }
            let out = dir.appendingPathComponent("out-\(gated).jsonl").path
            let stats = try await Pipeline(
                inputs: [url.path], options: options, outputs: [PipelineSpec.Output(kind: .jsonl, path: out)]
            ).run()
            return (try Data(contentsOf: URL(fileURLWithPath: out)), stats)
        }
        let (gated, a) = try await run(gated: true)
        let (whole, b) = try await run(gated: false)
        #expect(gated == whole, "\(gated.count) bytes gated, \(whole.count) whole")
        #expect(a.written == b.written && a.lines == b.lines)
        if text != "false" { #expect(a.written > 0) }
    }

    /// The joiner changes a record after its parse: continuation lines join its message, an untimed line takes
    /// the time above it. A filter on those is never settled at parse, so a record whose first line rules out
    /// one side of an `or` but whose continuation line matches the other keeps its fields.
    @Test func whatTheJoinerChangesIsNeverSettledAtParse() async throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.log")
        let lines = [
            #"{"time":"2026-11-21T10:00:00Z","level":"error","msg":"charge failed","user":"dave","order":"o-1","amount":12}"#,
            "    at Billing.charge(Billing.java:42) boom",
            #"{"level":"info","msg":"retry","user":"erin","order":"o-2"}"#,
            #"{"time":"2026-11-21T10:00:09Z","level":"info","msg":"done","user":"carol","order":"o-3"}"#,
        ]
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: input)
        let filter =
            #"user == "carol" or message contains "boom" or (user == "erin" and time < "2026-11-21T10:00:01Z")"#
        func run(gated: Bool) async throws -> String {
            var options = PipelineOptions()
            options.parse.includeRecords = true
            options.recordFilter = try FilterParser.parse(filter, for: .records)
            if !gated { options.parse.extrasFor = .constant(true) }
            let out = dir.appendingPathComponent("out-\(gated).jsonl").path
            _ = try await Pipeline(
                inputs: [input.path], options: options, outputs: [PipelineSpec.Output(kind: .jsonl, path: out)]
            ).run()
            return try String(contentsOfFile: out, encoding: .utf8)
        }
        let gated = try await run(gated: true)
        #expect(gated == (try await run(gated: false)))
        let written = gated.split(separator: "\n")
        #expect(written.count == 3 && written.allSatisfy { $0.contains(#""order":"o-"#) }, "\(gated)")
    }
}
