import Testing

@testable import AuditPipe

/// Route templates at parse time, and one ranking for every event field (DESIGN.md "Correlation": each
/// event field comes from the record that knows it best).
struct FieldRankingTests {
    /// Parses JSON lines (one input, in order) into records.
    func records(_ lines: [String]) -> [LogRecord] {
        var parser = LineParser(options: ParseOptions())
        return lines.enumerated().map { i, line in
            var bytes = Array(line.utf8)
            let parsed = bytes.withUnsafeMutableBufferPointer {
                parser.parse(
                    UnsafeBufferPointer($0), position: SourcePosition(input: 0, line: Int64(i + 1), offset: 0),
                    fileService: nil)
            }
            guard case .record(var r, _, _) = parsed else {
                Issue.record("not a record: \(line)")
                return LogRecord(
                    time: 0, timeKnown: false, kind: .log, position: SourcePosition(input: 0, line: 0, offset: 0))
            }
            r.sequence = Int64(i)
            return r
        }
    }

    /// The event of records folded in `order` (indices into `lines`).
    func event(_ lines: [String], order: [Int]? = nil) -> AuditEvent {
        let rs = records(lines)
        let order = order ?? Array(rs.indices)
        var g = GroupAccumulator.opened(by: rs[order[0]], embed: false)
        for i in order.dropFirst() { g.add(rs[i]) }
        return Enricher(inputNames: InputNames(["gateway.log"])).event(from: g)
    }

    func json(_ e: AuditEvent) -> String {
        var w = JSONWriter()
        EventJSONEncoder.encode(e, into: &w)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    @Test func placeholderSegmentsMakeARouteTemplate() {
        for t in [
            "/api/v1/orders/{id}", "/orders/:id", "/orders/:order_id/items", "/users/<int:id>", "/users/<id>",
            "/files/{path...}", "/orders/{id:int}?x=1", "/orders/:id?",
        ] {
            #expect(RouteTemplate.isTemplate(t), "\(t)")
        }
        for p in [
            "/api/v1/orders/42", "/", "", "/api/v1/reports/sales/export?format=csv", "/orders/a:b", "/x/:", "/x/{}",
            "/search?q={id}", "/v1/projects/p1:run",
        ] {
            #expect(!RouteTemplate.isTemplate(p), "\(p)")
        }
    }

    @Test func aLineWithOnlyARouteTemplateIsALogLineCarryingTheRoute() {
        let rs = records([
            #"{"ts":"2026-11-21T10:00:00Z","msg":"request received","request_id":"r1","method":"get","route":"/api/v1/orders/{id}"}"#,
            #"{"ts":"2026-11-21T10:00:00Z","request_id":"r1","method":"GET","path":"/api/v1/orders/:id"}"#,
            #"{"ts":"2026-11-21T10:00:00Z","request_id":"r1","request":"GET /users/<int:id> HTTP/1.1"}"#,
            #"{"ts":"2026-11-21T10:00:00Z","request_id":"r1","http":{"method":"GET","route":"/orders"}}"#,
        ])
        for r in rs {
            #expect(r.kind == .log)
            #expect(r.http?.path == nil)
            #expect(r.http?.route != nil)
            #expect(!r.isEndMarker)
        }
        #expect(
            rs.map { $0.http?.route } == ["/api/v1/orders/{id}", "/api/v1/orders/:id", "/users/<int:id>", "/orders"])
        #expect(rs[0].http?.method == "GET")
    }

    @Test func aConcretePathBesideARouteMakesAnAPIRecordWithBoth() {
        let r = records([
            #"{"ts":"2026-11-21T10:00:00Z","request_id":"r1","route":"/orders/:id","method":"GET","url":"/orders/42?x=1","status":200}"#
        ])[0]
        #expect(r.kind == .api)
        #expect(r.http?.path == "/orders/42")
        #expect(r.http?.route == "/orders/:id")
        #expect(r.http?.query == .object([JSONMember("x", .string("1"))]))
        #expect(r.isEndMarker)
    }

    @Test func aQueryStringLoggedInThePathIsTheQuery() {
        let e = event([
            #"{"ts":"2026-11-21T10:00:00Z","request_id":"r1","method":"GET","path":"/api/v1/reports/sales/export?format=csv&region=emea","status":200}"#
        ])
        #expect(e.api?.path == "/api/v1/reports/sales/export")
        #expect(e.api?.query?["format"] == .string("csv"))
        #expect(e.action == "export")
        #expect(e.entity == AuditEvent.Entity(type: "report", id: "sales", name: nil))
        #expect(e.access?.kind == "export")
        #expect(e.access?.fileType == "CSV")
    }

    static let gateway = [
        // The "request received" line comes first, from the load balancer's view, before authentication.
        #"{"ts":"2026-11-21T10:00:00.000Z","service":"api-gateway","msg":"request received","request_id":"r1","method":"GET","route":"/api/v1/reports/{name}/export","ip":"10.255.0.1","user":"anonymous","user_agent":"lb-probe"}"#,
        #"{"ts":"2026-11-21T10:00:00.010Z","service":"reports","msg":"export started","request_id":"r1","user":"svc-reports"}"#,
        #"{"ts":"2026-11-21T10:00:00.200Z","service":"api-gateway","request_id":"r1","method":"GET","path":"/api/v1/reports/sales/export?format=csv","status":200,"user":"alice","user_id":"u-1","ip":"10.0.0.5","headers":{"User-Agent":"curl/8.5.0"}}"#,
    ]

    @Test(arguments: [[0, 1, 2], [2, 1, 0], [1, 2, 0]])
    func theAPIRecordOutranksTheRouteLineForEveryFieldWhateverTheOrder(order: [Int]) {
        let e = event(Self.gateway, order: order)
        #expect(e.api?.method == "GET")
        #expect(e.api?.path == "/api/v1/reports/sales/export")
        #expect(e.api?.route == "/api/v1/reports/{name}/export")
        #expect(e.api?.query?["format"] == .string("csv"))
        #expect(e.outcome.status == 200)
        #expect(e.actor.user == "alice")
        #expect(e.actor.userID == "u-1")
        #expect(e.actor.ip == "10.0.0.5")
        #expect(e.actor.userAgent == "curl/8.5.0")
        #expect(e.entity == AuditEvent.Entity(type: "report", id: "sales", name: nil))
        #expect(e.action == "export")
        #expect(e.access?.kind == "export")
        #expect(e.access?.fileType == "CSV")
    }

    @Test func anAccessLineOutranksALogLineAndTheAPIRecordOutranksBoth() {
        let lines = [
            #"{"ts":"2026-11-21T10:00:00.000Z","request_id":"r1","msg":"hit","user":"log-user","ip":"10.9.9.9"}"#,
            #"10.1.1.1 - access-user [21/Nov/2026:10:00:00 +0000] "GET /api/v1/orders/7 HTTP/1.1" 200 12 "-" "curl/8" 0123456789abcdef"#,
        ]
        let rs = records(lines)
        #expect(rs[1].kind == .access)
        var g = GroupAccumulator.opened(by: rs[0], embed: false)
        g.add(rs[1])
        #expect(g.actor.user == "access-user")
        #expect(g.actor.ip == "10.1.1.1")
        let api = records([
            #"{"ts":"2026-11-21T10:00:01.000Z","request_id":"r1","method":"GET","path":"/api/v1/orders/8","status":201,"user":"api-user"}"#
        ])[0]
        g.add(api)
        #expect(g.actor.user == "api-user")
        #expect(g.actor.ip == "10.1.1.1")  // only the access line knows it
        #expect(g.http.path == "/api/v1/orders/8")
        #expect(g.status == 201)
    }

    @Test func fieldsTheAPIRecordLacksComeFromTheNextBestRecord() {
        let e = event([
            #"{"ts":"2026-11-21T10:00:00.000Z","request_id":"r1","method":"POST","url":"/api/v1/orders?source=web","body":{"amount":3}}"#,
            #"{"ts":"2026-11-21T10:00:00.100Z","request_id":"r1","method":"POST","path":"/api/v1/orders","status":201}"#,
        ])
        #expect(e.api?.path == "/api/v1/orders")
        #expect(e.api?.query?["source"] == .string("web"))
        #expect(e.api?.payload?["amount"] == .number("3"))
        #expect(e.outcome.status == 201)
    }

    @Test func onlyATemplateKnownLeavesThePathNullAndNoEntityID() {
        let e = event([
            #"{"ts":"2026-11-21T10:00:00Z","msg":"request received","request_id":"r1","method":"DELETE","route":"/api/v1/files/:id"}"#
        ])
        #expect(
            e.api == AuditEvent.API(method: "DELETE", path: nil, route: "/api/v1/files/:id", query: nil, payload: nil))
        #expect(e.action == "delete")
        #expect(e.entity == AuditEvent.Entity(type: "file", id: nil, name: nil))
        #expect(json(e).contains(#""api":{"method":"DELETE","path":null,"route":"/api/v1/files/:id","query":null"#))
    }

    @Test func aTenantPlaceholderIsSkippedLikeAnID() {
        let e = event([
            #"{"ts":"2026-11-21T10:00:00Z","request_id":"r1","method":"GET","route":"/api/{tenant}/invoices/{id}/print"}"#
        ])
        #expect(e.entity == AuditEvent.Entity(type: "invoice", id: nil, name: nil))
        #expect(e.action == "print")
        #expect(e.access?.kind == "print")
    }

    @Test func theRouteIsAFilterFieldAndAShorthand() throws {
        let e = event(Self.gateway)
        #expect(try FilterParser.parse(#"api.route == "/api/v1/reports/{name}/export""#).matches(e))
        #expect(try FilterParser.parse(#"route =~ "/reports/.name./export$""#).matches(e))
        #expect(try !FilterParser.parse(#"api.path contains "{""#).matches(e))
        #expect(e.value(at: "api.route") == .string("/api/v1/reports/{name}/export"))
        #expect(e.value(at: "api")?["route"] == .string("/api/v1/reports/{name}/export"))
        #expect(
            json(e).contains(#""path":"/api/v1/reports/sales/export","route":"/api/v1/reports/{name}/export","query""#))
    }
}
