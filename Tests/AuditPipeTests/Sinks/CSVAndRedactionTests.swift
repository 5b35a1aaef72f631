import Testing

@testable import AuditPipe

struct CSVAndRedactionTests {
    @Test func formulaCellsAreNeutralised() {
        for s in ["=1+1", "+cmd", "-2", "@SUM(A1)", "\tx"] { #expect(CSVSink.neutralised(s) == "'" + s) }
        #expect(CSVSink.neutralised("alice") == "alice")
    }

    @Test func rowsQuoteCommasQuotesAndNewlines() {
        var out: [UInt8] = []
        CSVSink.appendRow(["a,b", "say \"hi\"", "two\nlines", nil, "plain"], to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",,plain\r\n")
    }

    @Test func sensitiveKeysAreRedactedAtAnyDepthCaseInsensitively() {
        let r = Redactor()
        let v = JSONValue.object([
            JSONMember("Authorization", .string("Bearer x")), JSONMember("user", .string("bob")),
            JSONMember(
                "nested",
                .array([.object([JSONMember("X-API-KEY", .string("k")), JSONMember("Refresh_Token", .string("t"))])])),
        ])
        let out = r.redact(v)
        #expect(out["Authorization"] == .string("[REDACTED]"))
        #expect(out["user"] == .string("bob"))
        #expect(
            out["nested"]
                == .array([
                    .object([
                        JSONMember("X-API-KEY", .string("[REDACTED]")),
                        JSONMember("Refresh_Token", .string("[REDACTED]")),
                    ])
                ]))
        #expect(
            r.redactText("login password=hunter2 ok; Authorization: Bearer abc.def")
                == "login password=[REDACTED] ok; Authorization: Bearer [REDACTED]")
    }

    @Test func routesGiveActionEntityAndAccess() {
        let r = RouteClassifier.classify(
            method: "GET", path: "/api/v1/reports/sales/export", query: QueryString.parse("format=csv"))
        #expect(
            r
                == RouteClassifier.Route(
                    action: "export", entityType: "report", entityID: "sales", accessKind: "export", fileType: "CSV"))
        #expect(
            RouteClassifier.classify(method: "POST", path: "/v2/54fadb412c4e40cdbaed9335e4c35a9e/servers", query: nil)
                .entityType == "server")
        #expect(RouteClassifier.classify(method: "PATCH", path: "/api/users/42", query: nil).action == "update")
        #expect(OriginClassifier.classify(userAgent: "GitHub-Hookshot/abc", user: nil) == "webhook")
        #expect(OriginClassifier.classify(userAgent: "curl/8.5.0", user: nil) == "cli")
        #expect(OriginClassifier.classify(userAgent: nil, user: "system:kube-scheduler") == "system")
    }
}
