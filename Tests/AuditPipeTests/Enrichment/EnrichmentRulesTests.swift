import Foundation
import Testing

@testable import AuditPipe

struct EnrichmentRulesTests {
    @Test func routePatternCapturesSegments() throws {
        let p = try RoutePattern("POST /api/v1/pipelines/{id}/run")
        #expect(p.match(method: "POST", path: "/api/v1/pipelines/pl-42/run") == ["id": "pl-42"])
        #expect(p.match(method: "post", path: "/api/v1/pipelines/a%2Fb/run") == ["id": "a/b"])
        #expect(p.match(method: "GET", path: "/api/v1/pipelines/pl-42/run") == nil)
        #expect(p.match(method: "POST", path: "/api/v1/pipelines/pl-42/run/extra") == nil)
        #expect(p.match(method: "POST", path: "/api/v1/pipelines/pl-42") == nil)
        let rest = try RoutePattern("/files/*/**")
        #expect(rest.match(method: "GET", path: "/files/ws/a/b/c") == [:])
        #expect(rest.match(method: nil, path: "/files") == nil)
        #expect(throws: RoutePattern.Invalid.self) { try RoutePattern("POST api/x") }
        #expect(throws: RoutePattern.Invalid.self) { try RoutePattern("/a/**/b") }
        #expect(throws: RoutePattern.Invalid.self) { try RoutePattern("/a/x{id}") }
    }

    @Test func routeRuleSetsEntityAndActionOnTheEvent() throws {
        var rules = EnrichmentRules()
        var p = try RoutePattern("POST /api/v1/pipelines/{id}/run")
        p.entityType = "pipeline"
        p.entityID = "{id}"
        p.action = "run"
        rules.routes = [p]
        rules.methodActions = ["GET": "read"]
        var e = Self.event(action: "create")
        rules.apply(to: &e, captured: [], index: [:], method: "POST", path: "/api/v1/pipelines/pl-7/run")
        #expect(e.entity.type == "pipeline" && e.entity.id == "pl-7" && e.action == "run")
        var g = Self.event(action: "view")
        rules.apply(to: &g, captured: [], index: [:], method: "GET", path: "/api/v1/orders/o-1")
        #expect(g.action == "read")
        // A verb taken from the path is not a method default, so a method rule leaves it alone.
        var x = Self.event(action: "export")
        rules.apply(to: &x, captured: [], index: [:], method: "GET", path: "/api/v1/reports/sales/export")
        #expect(x.action == "export")
    }

    @Test func linkTemplatesEncodeValuesAndObjects() throws {
        var e = Self.event(action: "export")
        e.entity = AuditEvent.Entity(type: "Sales Invoice", id: "SINV/1", name: nil)
        let doc = try LinkTemplate(name: "document", template: "https://erp/app/{entity.type|slug}/{entity.id}")
        #expect(doc.render { e.value(at: $0) } == "https://erp/app/sales-invoice/SINV%2F1")
        e.access = AuditEvent.Access(
            kind: "export", reportName: "General Ledger",
            filters: .object([
                JSONMember("company", .string("Acme & Co")), JSONMember("draft", .bool(false)),
            ]))
        let report = try LinkTemplate(
            name: "report", template: "/app/query-report/{access.report_name}?{access.filters}")
        #expect(
            report.render { e.value(at: $0) }
                == "/app/query-report/General%20Ledger?company=Acme%20%26%20Co&draft=false")
        let missing = try LinkTemplate(name: "x", template: "/{entity.name}")
        #expect(missing.render { e.value(at: $0) } == nil)
        #expect(throws: LinkTemplate.Invalid.self) { try LinkTemplate(name: "x", template: "/{entity.id") }
        #expect(throws: LinkTemplate.Invalid.self) { try LinkTemplate(name: "x", template: "/{entity.id|upper}") }
    }

    @Test func environmentExpansion() throws {
        let env = ["LOG_DIR": "/var/log", "EMPTY": ""]
        #expect(try EnvironmentExpansion.expand("${LOG_DIR}/app.log", environment: env) == "/var/log/app.log")
        #expect(try EnvironmentExpansion.expand("${OUT:-out}/x", environment: env) == "out/x")
        #expect(try EnvironmentExpansion.expand("${A:-${LOG_DIR}/a}", environment: env) == "/var/log/a")
        #expect(try EnvironmentExpansion.expand("${EMPTY:-d}", environment: env) == "d")
        #expect(try EnvironmentExpansion.expand("cost $$5 $x", environment: env) == "cost $5 $x")
        #expect(throws: EnvironmentExpansion.Failure.self) {
            try EnvironmentExpansion.expand("${NOPE}", environment: env)
        }
        #expect(throws: EnvironmentExpansion.Failure.self) { try EnvironmentExpansion.expand("${A", environment: env) }
    }

    @Test func pythonReprAndJSONTextBecomeStructure() {
        let repr = StructuredText.parse(
            .string("{'company': 'Acme', 'n': 3, 'ok': True, 'none': None, 'l': ['a', (1, 2)]}"))
        #expect(
            repr
                == .object([
                    JSONMember("company", .string("Acme")), JSONMember("n", .number("3")),
                    JSONMember("ok", .bool(true)),
                    JSONMember("none", .null),
                    JSONMember("l", .array([.string("a"), .array([.number("1"), .number("2")])])),
                ]))
        #expect(StructuredText.parse(.string(#"["a", "b"]"#)) == .array([.string("a"), .string("b")]))
        #expect(StructuredText.parse(.string("plain text")) == .string("plain text"))
        #expect(StructuredText.parse(.string("{'unclosed': ")) == .string("{'unclosed': "))
    }

    @Test func csvRowsHandleQuotesLineBreaksAndTruncation() {
        let text = "\u{FEFF}\"Sr\",\"User \"\r\n\"1\",\"a,\"\"b\"\"\nc\"\r\n2,plain\n\"3\",\"open"
        let rows = Array(CSVRows(Array(text.utf8)))
        #expect(rows.map(\.cells) == [["Sr", "User "], ["1", "a,\"b\"\nc"], ["2", "plain"], ["3", "open"]])
        #expect(rows.map(\.line) == [1, 2, 4, 5])
        #expect(rows.map(\.complete) == [true, true, true, false])
        #expect(CSVDocumentSource.fieldName("User ") == "user")
        #expect(CSVDocumentSource.fieldName("Reference Document") == "reference_document")
    }

    @Test func userDirectoryJoinsFromCSVAndJSON() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("users-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("users.csv")
        try "user_id,name,email,roles\nu-1,Alice,a@x,admin|ops\n".write(to: csv, atomically: true, encoding: .utf8)
        let json = dir.appendingPathComponent("users.json")
        try #"{"u-2": {"name": "Bob", "roles": ["dev"]}}"#.write(to: json, atomically: true, encoding: .utf8)
        let a = try UserDirectory(path: csv.path, key: .userID)
        #expect(a.lookup("u-1") == UserDirectory.Entry(name: "Alice", email: "a@x", roles: ["admin", "ops"]))
        let b = try UserDirectory(path: json.path, key: .userID)
        #expect(b.lookup("u-2") == UserDirectory.Entry(name: "Bob", email: nil, roles: ["dev"]))
        #expect(throws: UserDirectory.LoadError.self) {
            try UserDirectory(path: dir.appendingPathComponent("none.csv").path, key: .user)
        }
        var rules = EnrichmentRules()
        rules.users = a
        var e = Self.event(action: "view")
        e.actor.userID = "u-1"
        rules.apply(to: &e, captured: [], index: [:], method: nil, path: nil)
        #expect(e.actor.name == "Alice" && e.actor.roles == ["admin", "ops"])
        var unknown = Self.event(action: "view")
        rules.apply(to: &unknown, captured: [], index: [:], method: nil, path: nil)
        #expect(unknown.actor.name == nil && unknown.actor.roles == [])
    }

    @Test func keepListExemptsKeysFromRedaction() {
        let r = Redactor(extraKeys: ["pin"], keep: ["token_type"])
        let v = JSONValue.object([
            JSONMember("token_type", .string("bearer")), JSONMember("access_token", .string("abc")),
            JSONMember("PIN", .string("1234")),
        ])
        #expect(
            r.redact(v)
                == .object([
                    JSONMember("token_type", .string("bearer")), JSONMember("access_token", .string(Redactor.mask)),
                    JSONMember("PIN", .string(Redactor.mask)),
                ]))
    }

    static func event(action: String?) -> AuditEvent {
        AuditEvent(
            eventID: "e", requestID: "r", start: 0, end: 0, actor: AuditEvent.Actor(), action: action,
            entity: AuditEvent.Entity(), access: nil, outcome: AuditEvent.Outcome(status: nil, result: "unknown"),
            api: nil, services: [], records: 1, levels: [], links: [], flags: [], entries: nil)
    }
}
