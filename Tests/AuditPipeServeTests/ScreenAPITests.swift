import AuditPipe
import AuditPipeServe
import Foundation
import Testing

/// The screen's JSON API over real HTTP on a loopback port, against `auditpipe query` on the same archive.
@Suite(.serialized)
struct ScreenAPITests {
    let f: ScreenFixture
    let user = ScreenFixture.auditor.0
    let password = ScreenFixture.auditor.1

    init() throws { f = try ScreenFixture.get() }

    func get(_ path: String) throws -> HTTPTestClient.Response {
        try HTTPTestClient.get(f.port, path, user: user, password: password)
    }

    static let filters = [
        #"action == "export""#, "outcome.status == 4xx", #"actor.origin == "webhook""#,
        #"api.path ~ "/api/v1/files/*""#, #"services contains "reports" and not actor.user == "alice""#,
    ]

    @Test func healthzNeedsNoSignInAndEverythingElseDoes() throws {
        let health = try HTTPTestClient.get(f.port, "/healthz")
        #expect(health.status == 200)
        for path in ["/", "/app.js", "/api/events", "/api/events/x", "/api/activity", "/api/export?format=csv"] {
            let anonymous = try HTTPTestClient.get(f.port, path)
            #expect(anonymous.status == 401, "\(path)")
            #expect(anonymous.headers["www-authenticate"]?.hasPrefix("Basic realm=") == true, "\(path)")
        }
        let wrong = try HTTPTestClient.get(f.port, "/api/events", user: user, password: password + "x")
        #expect(wrong.status == 401)
        let unknown = try HTTPTestClient.get(f.port, "/api/events", user: "mallory", password: password)
        #expect(unknown.status == 401)
    }

    @Test func viewerReadsButMayNotExport() throws {
        let (name, pass) = ScreenFixture.viewer
        #expect(try HTTPTestClient.get(f.port, "/api/events?limit=1", user: name, password: pass).status == 200)
        let export = try HTTPTestClient.get(f.port, "/api/export?format=csv", user: name, password: pass)
        #expect(export.status == 403)
        #expect(try get("/api/export?format=csv&q=" + HTTPTestClient.escape("action == \"nothing\"")).status == 200)
    }

    @Test func everyAnswerCarriesTheSecurityHeaders() throws {
        for path in ["/", "/api/events?limit=1", "/healthz"] {
            let r = try get(path)
            #expect(r.headers["content-security-policy"]?.contains("default-src 'self'") == true)
            #expect(r.headers["content-security-policy"]?.contains("frame-ancestors 'none'") == true)
            #expect(r.headers["x-content-type-options"] == "nosniff")
            #expect(r.headers["set-cookie"] == nil)
        }
    }

    @Test(arguments: filters)
    func totalIsWhatQueryCounts(expression: String) throws {
        let expected = try f.queryEvents([expression]).count
        #expect(expected > 0, "the filter should match some demo events")
        let page = try get("/api/events?limit=5&q=" + HTTPTestClient.escape(expression)).json()
        #expect(page["total"] as? Int == expected)
        #expect((page["events"] as? [Any])?.count == min(5, expected))
    }

    @Test func totalWithATimeRangeIsWhatQueryCounts() throws {
        let (since, until) = ("2026-11-20T10:00:00.5Z", "2026-11-21T10:00:01Z")
        let expected = try f.queryEvents(["--since", since, "--until", until, "outcome.result == \"success\""]).count
        #expect(expected > 0)
        let page = try get(
            "/api/events?limit=1&since=\(since)&until=\(until)&q="
                + HTTPTestClient.escape("outcome.result == \"success\"")
        ).json()
        #expect(page["total"] as? Int == expected)
    }

    @Test func keysetPagingReturnsEveryMatchExactlyOnceNewestFirst() throws {
        let expression = "outcome.status >= 200"
        let expected = try f.queryEvents([expression]).map { $0["event_id"] as! String }
        #expect(expected.count > 200)
        var seen: [String] = []
        var starts: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            var path = "/api/events?limit=37&q=" + HTTPTestClient.escape(expression)
            if let cursor { path += "&cursor=" + HTTPTestClient.escape(cursor) }
            let page = try get(path).json()
            #expect(page["total"] as? Int == expected.count)
            for e in page["events"] as! [[String: Any]] {
                seen.append(e["event_id"] as! String)
                starts.append(e["start"] as! String)
            }
            cursor = page["next"] as? String
            pages += 1
        } while cursor != nil && pages < 1000
        #expect(seen.count == expected.count)
        #expect(Set(seen).count == seen.count, "no event twice")
        #expect(Set(seen) == Set(expected))
        #expect(starts == starts.sorted(by: >), "newest first")
    }

    @Test func detailsByIDAreTheArchivedLineAndAreLogged() throws {
        let lines = try f.query(["action == \"delete\""]).split(separator: 10)
        let line = try #require(lines.dropFirst(3).first)
        let object = try JSONSerialization.jsonObject(with: Data(line)) as! [String: Any]
        let id = object["event_id"] as! String
        let r = try get("/api/events/\(id)?ui=1")
        #expect(r.status == 200)
        #expect(r.body == Data(line))
        #expect(try get("/api/events/0000000000000000").status == 404)
        let logged = try f.auditEvents().filter {
            $0["action"] as? String == "view" && ($0["access"] as? [String: Any])?["document"] as? String == id
        }
        #expect(logged.count == 1)
        let actor = try #require(logged.first?["actor"] as? [String: Any])
        #expect(actor["user"] as? String == user)
        // From the user agent (the test client's is no browser), not from a query parameter anyone can set.
        #expect(actor["origin"] as? String == "api")
    }

    /// Every read that shows events is logged (a list page, the whole request, details), and what the log
    /// keeps of the URL and the filter is redacted like any event.
    @Test func listsAndWholeRequestsAreLoggedAndTheLogIsRedacted() throws {
        let secret = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"
        let expression = #"actor.user == "AKIAABCDEFGHIJKLMNOP""#
        let r = try get(
            "/api/events?limit=1&q=\(HTTPTestClient.escape(expression))&token=\(secret)&password=hunter3secret")
        #expect(r.status == 200)
        let rid = try #require(try f.queryEvents(["request_id != null"]).first?["request_id"] as? String)
        #expect(try get("/api/requests/\(HTTPTestClient.escape(rid))?password=hunter3secret").status == 200)
        let log = try f.auditEvents()
        let text = String(decoding: try JSONSerialization.data(withJSONObject: log), as: UTF8.self)
        #expect(!text.contains("hunter3secret"), "a password in a URL is not kept")
        #expect(!text.contains(secret), "a token in a URL is not kept")
        #expect(!text.contains("AKIAABCDEFGHIJKLMNOP"), "a key in a filter is not kept")
        #expect(log.contains { ($0["access"] as? [String: Any])?["document"] as? String == rid })
        #expect(log.contains { ($0["api"] as? [String: Any])?["path"] as? String == "/api/events" })
    }

    @Test func wholeRequestIsEveryEventOfTheRequestID() throws {
        let events = try f.queryEvents(["request_id != null"])
        let rid = try #require(events.first?["request_id"] as? String)
        let expected = events.filter { $0["request_id"] as? String == rid }.map { $0["event_id"] as! String }
        let answer = try get("/api/requests/\(HTTPTestClient.escape(rid))").json()
        let got = (answer["events"] as! [[String: Any]]).map { $0["event_id"] as! String }
        #expect(got.sorted() == expected.sorted())
        #expect(!got.isEmpty)
    }

    @Test(arguments: [#"action == "export""#, #"api.path ~ "/api/v1/files/*" and outcome.status == 4xx"#])
    func csvExportIsByteForByteWhatQueryWrites(expression: String) throws {
        let expected = try f.query(["--all", "--output-format", "csv", expression])
        let r = try get("/api/export?format=csv&q=" + HTTPTestClient.escape(expression))
        #expect(r.status == 200)
        #expect(r.headers["content-type"]?.hasPrefix("text/csv") == true)
        #expect(r.headers["content-disposition"]?.hasPrefix("attachment;") == true)
        #expect(r.body == expected)
        #expect(expected.count > 200)
        let logged = try f.auditEvents().filter {
            ($0["access"] as? [String: Any]).flatMap { $0["filters"] as? [String: Any] }?["q"] as? String == expression
        }
        #expect(logged.count >= 1)
        let access = try #require(logged.last?["access"] as? [String: Any])
        #expect(logged.last?["action"] as? String == "export")
        #expect(access["kind"] as? String == "export")
        #expect(access["file_type"] as? String == "CSV")
        #expect((logged.last?["actor"] as? [String: Any])?["user"] as? String == user)
        #expect((logged.last?["actor"] as? [String: Any])?["origin"] as? String == "api")
    }

    @Test func jsonlExportIsWhatQueryWrites() throws {
        let expression = "outcome.status == 5xx"
        let r = try get("/api/export?format=jsonl&q=" + HTTPTestClient.escape(expression))
        #expect(r.status == 200)
        #expect(r.body == (try f.query([expression])))
    }

    @Test func xlsxExportIsAWorkbook() throws {
        let r = try get("/api/export?format=xlsx&q=" + HTTPTestClient.escape("action == \"login\""))
        #expect(r.status == 200)
        #expect(r.body.prefix(2) == Data("PK".utf8))
    }

    @Test func aBadExpressionIsA400WithTheParseError() throws {
        let r = try get("/api/events?q=" + HTTPTestClient.escape("action =="))
        #expect(r.status == 400)
        #expect((try r.json()["error"] as? String)?.contains("expected a value") == true)
        #expect(try get("/api/events?since=yesterday-ish").status == 400)
        #expect(try get("/api/events?cursor=nonsense").status == 400)
        #expect(try get("/api/export?format=pdf").status == 400)
    }

    @Test func freeTextNeedsEveryTermCaseInsensitively() throws {
        let all = try f.query(["--all"]).split(separator: 10).map { String(decoding: $0, as: UTF8.self) }
        let expected = all.filter { $0.lowercased().contains("payroll") && $0.lowercased().contains("xlsx") }.count
        #expect(expected > 0)
        let page = try get("/api/events?limit=1&text=PayRoll%20XLSX").json()
        #expect(page["total"] as? Int == expected)
    }

    @Test func activityRowsAccountForEveryEvent() throws {
        let total = try f.queryEvents(["--all"]).count
        for by in ["user", "node"] {
            let a = try get("/api/activity?by=\(by)").json()
            let rows = a["rows"] as! [[String: Any]]
            let counted = rows.reduce(0) { $0 + ($1["reads"] as! Int) + ($1["writes"] as! Int) + ($1["other"] as! Int) }
            #expect(counted + (a["skipped"] as! Int) == total, "\(by)")
            #expect(rows.count > 1)
        }
        #expect(try get("/api/activity?by=planet").status == 400)
    }

    @Test func thePageAndItsAssetsAreServedWithoutInlineScript() throws {
        let page = try get("/")
        #expect(page.status == 200)
        #expect(page.text.contains(#"<script src="/app.js""#))
        #expect(!page.text.contains("<script>"))
        #expect(try get("/app.js").headers["content-type"]?.hasPrefix("text/javascript") == true)
        #expect(try get("/app.css").status == 200)
    }
}
