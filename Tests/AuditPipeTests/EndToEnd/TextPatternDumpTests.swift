import AuditPipe
import Foundation
import Testing

/// A mixed dump (README "Your own formats"): a JSON gateway logs the bare uuid of each request, a text
/// service logs `… DEBUG orders [req-<UUID>] sql query …` in a file whose name is not its service. Text
/// patterns and `--id-pattern` group it exactly: each event's record count and services are compared with
/// the ground truth the generator wrote.
struct TextPatternDumpTests {
    struct Truth {
        var records: [String: Int] = [:]
    }

    /// Writes `gateway.jsonl` and `app-2.log` for `requests` requests (fixed seed); returns records per uuid.
    static func writeDump(in dir: URL, requests: Int, upperInText: Bool) throws -> Truth {
        var rng = SplitMix64(seed: 20_240_514)
        var truth = Truth()
        var json = ""
        var text = ""
        let t0 = 1_715_677_200_000  // 2024-05-14T09:00:00Z in ms
        for i in 0..<requests {
            let id = rng.uuid()
            let start = t0 + i * 50
            json +=
                #"{"time":"\#(iso(start))","level":"info","service":"gateway","request_id":"\#(id)","msg":"request received"}"#
            json += "\n"
            let k = 1 + Int(rng.next() % 3)
            for j in 0..<k {
                let shown = upperInText ? id.uppercased() : id
                text +=
                    "\(iso(start + 10 + j * 5)) DEBUG orders [req-\(shown)] sql query select * from orders where id=\(i)\n"
            }
            truth.records[id] = 1 + k
        }
        try json.write(to: dir.appendingPathComponent("gateway.jsonl"), atomically: true, encoding: .utf8)
        try text.write(to: dir.appendingPathComponent("app-2.log"), atomically: true, encoding: .utf8)
        return truth
    }

    static func iso(_ ms: Int) -> String {
        let d = Date(timeIntervalSince1970: Double(ms) / 1000)
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: d)
    }

    struct Outcome {
        var exactRecords = 0
        var exactServices = 0
        var events = 0
    }

    static func run(_ extra: [String], upperInText: Bool, requests: Int = 2000) throws -> (Outcome, Truth) {
        let tmp = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let truth = try writeDump(in: tmp, requests: requests, upperInText: upperInText)
        let r = try AuditPipeBinary.run(["correlate", "gateway.jsonl", "app-2.log", "-q"] + extra, in: tmp)
        #expect(r.status == 0, "\(r.stderr)")
        var o = Outcome()
        for line in r.stdout.split(separator: UInt8(ascii: "\n")) {
            let e = try JSONSerialization.jsonObject(with: Data(line)) as! [String: Any]
            o.events += 1
            guard let id = e["request_id"] as? String, let n = truth.records[id] else { continue }
            if e["records"] as? Int == n { o.exactRecords += 1 }
            if Set(e["services"] as? [String] ?? []) == ["gateway", "orders"] { o.exactServices += 1 }
        }
        return (o, truth)
    }

    static let regex =
        #"^(?<time>\S+) (?<level>[A-Z]+) (?<service>[a-z-]+) \[req-(?<request_id>[0-9A-Fa-f-]{36})\] (?<message>.*)$"#
    static let grok =
        #"%{TIMESTAMP_ISO8601:time} %{LOGLEVEL:level} %{WORD:service} \[req-%{UUID:request_id}\] %{GREEDYDATA:message}"#
    static let uuidPattern = #"(?i)([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"#

    @Test func withoutPatternsTheTextLinesFormTheirOwnGroups() throws {
        let (o, truth) = try Self.run([], upperInText: true)
        #expect(o.exactRecords == 0)
        #expect(o.events == 2 * truth.records.count)
    }

    @Test func aRegexPatternGroupsTheDumpExactly() throws {
        let (o, truth) = try Self.run(["--text-pattern", Self.regex], upperInText: false)
        #expect(o.events == truth.records.count)
        #expect(o.exactRecords == truth.records.count)
        #expect(o.exactServices == truth.records.count)
    }

    @Test func aGrokPatternWithAnIDPatternGroupsTheUppercaseDumpExactly() throws {
        let (o, truth) = try Self.run(
            ["--text-pattern", Self.grok, "--id-pattern", Self.uuidPattern], upperInText: true)
        #expect(o.events == truth.records.count)
        #expect(o.exactRecords == truth.records.count)
        #expect(o.exactServices == truth.records.count)
    }

    @Test func aRegexPatternWithAnIDPatternGroupsTheUppercaseDumpExactly() throws {
        let (o, truth) = try Self.run(
            ["--text-pattern", Self.regex, "--id-pattern", Self.uuidPattern], upperInText: true)
        #expect(o.events == truth.records.count)
        #expect(o.exactRecords == truth.records.count)
        #expect(o.exactServices == truth.records.count)
    }

    @Test func badFlagPatternsAreRefusedWithACaret() throws {
        let r = try AuditPipeBinary.run(["correlate", "--text-pattern", "%{WORD:request_id} %{NOPE}", "/dev/null"])
        #expect(r.status == 64 || r.status == 1)
        #expect(
            r.stderr.hasPrefix(
                "Error: --text-pattern: bad text pattern: unknown grok pattern 'NOPE'\n  %{WORD:request_id} %{NOPE}\n                       ^\n"
            ), "\(r.stderr)")
        let f = try AuditPipeBinary.run(["filter", "--id-pattern", "req-(", "true", "/dev/null"])
        #expect(
            f.stderr.hasPrefix(
                "Error: --id-pattern: bad id pattern: bad regular expression: missing closing parenthesis\n  req-(\n       ^\n"
            ), "\(f.stderr)")
    }

    @Test func patternFieldsFeedEnrichmentAndACompositeKeyInAPipelineFile() throws {
        let tmp = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let file = tmp.appendingPathComponent("p.yaml")
        try #"""
        inputs: ["-"]
        parse:
          grok_definitions:
            TICKET: '[A-Z]+-%{INT}'
          patterns:
            - '%{TIMESTAMP_ISO8601:time} %{LOGLEVEL:level} %{WORD:service} ticket=%{TICKET:ticket} op=%{WORD:op}'
        correlation:
          group_by: ticket
          window: 1m
        enrich:
          map:
            action: op
            entity.id: ticket
        outputs:
          - type: jsonl
            path: "-"
        tests:
          - name: a pattern's own fields group and enrich
            input: |
              2024-05-14T09:00:00Z INFO desk ticket=OPS-7 op=assign
              2024-05-14T09:00:01Z INFO mailer ticket=OPS-7 op=notify
              2024-05-14T09:00:02Z INFO desk ticket=OPS-8 op=close
            events: 2
            expect:
              - entity.id: OPS-7
                action: assign
                records: 2
              - entity.id: OPS-8
                action: close
        """#.write(to: file, atomically: true, encoding: .utf8)
        let r = try AuditPipeBinary.run(["test", file.path], in: tmp)
        #expect(r.status == 0, "\(String(decoding: r.stdout, as: UTF8.self))\(r.stderr)")
    }

    @Test func theIDPatternAloneMakesRecordCountsExact() throws {
        let (o, truth) = try Self.run(["--id-pattern", Self.uuidPattern], upperInText: true)
        #expect(o.events == truth.records.count)
        #expect(o.exactRecords == truth.records.count)
        // Without a pattern the text lines' service is still the file name's.
        #expect(o.exactServices == 0)
    }
}

/// Random UUIDs (version 4 shape) from the demo's seeded generator, for a reproducible dump.
extension SplitMix64 {
    fileprivate mutating func uuid() -> String {
        let a = next()
        let b = next()
        let hex = String(format: "%016llx%016llx", a, b)
        let c = Array(hex)
        return
            "\(String(c[0..<8]))-\(String(c[8..<12]))-4\(String(c[13..<16]))-a\(String(c[17..<20]))-\(String(c[20..<32]))"
    }
}
