import Testing

@testable import AuditPipe

/// The redactor's detectors one by one (README "Redaction"); `SecretsCorpusTests` runs them through every sink.
struct RedactorTests {
    let r = Redactor()

    @Test func sensitiveKeysMatchCaseSeparatorAndCamelCaseVariants() {
        for key in [
            "pwd", "PWD", "DB_PWD", "passwd", "auth", "X-Auth", "basicAuth", "authorization", "Proxy-Authorization",
            "credentials", "private_key", "privateKey", "client_secret", "clientSecret", "access_token", "accessToken",
            "refresh_token", "session", "x-api-key", "X_API_KEY", "xApiKey", "Cookie", "Set-Cookie", "cookies",
            "X-Amz-Signature", "aws_secret_access_key", "jwt", "db_pass", "JSESSIONID",
        ] {
            #expect(r.isSensitive(key), "\(key)")
        }
        for key in [
            "author", "authority", "authors", "oauth_provider", "auth_method", "session_id", "sessionId", "user",
            "username", "path", "request_id", "authorization.k8s.io/decision", "passenger", "compass", "keyboard",
        ] {
            #expect(!r.isSensitive(key), "\(key)")
        }
        let custom = Redactor(extraKeys: ["tenant_pin", "*otp*"], keep: ["token_type"])
        #expect(
            custom.isSensitive("Tenant-PIN") && custom.isSensitive("sms_otp_code") && !custom.isSensitive("token_type"))
    }

    /// From a new-user trial (issue 14): Logstash's classic `COMMONAPACHELOG` names the basic-auth user `auth`,
    /// and it was masked, so `fields.auth == "frank"` matched nothing.
    @Test func aRecordsAuthFieldEqualToItsUserIsKeptAndAnyOtherIsMasked() {
        let fields = [JSONMember("auth", .string("frank")), JSONMember("auth_token", .string("frank"))]
        #expect(
            r.redactFields(fields, user: "frank")
                == .object([JSONMember("auth", .string("frank")), JSONMember("auth_token", .string(Redactor.mask))]))
        let masked = JSONValue.object([JSONMember("auth", .string(Redactor.mask))])
        #expect(r.redactFields([JSONMember("auth", .string("hunter2"))], user: "frank") == masked)
        #expect(r.redactFields([JSONMember("auth", .string("frank"))], user: nil) == masked)
        #expect(
            Redactor(extraKeys: ["auth"]).redactFields([JSONMember("auth", .string("frank"))], user: "frank") == masked)
        // Nested, an `auth` is a secret whatever it holds.
        let nested = [JSONMember("body", .object([JSONMember("auth", .string("frank"))]))]
        #expect(
            r.redactFields(nested, user: "frank")
                == .object([JSONMember("body", .object([JSONMember("auth", .string(Redactor.mask))]))]))
    }

    @Test func keyValuesInTextAreMaskedWithTheirQuotesAndSchemes() {
        #expect(
            r.redactText("login pwd=hunter2 auth=abc author=jausten")
                == "login pwd=[REDACTED] auth=[REDACTED] author=jausten")
        #expect(
            r.redactText(#"{"password": "two words", "user": "bob"}"#) == #"{"password": "[REDACTED]", "user": "bob"}"#)
        #expect(r.redactText(#"msg {\"passwd\":\"a b\"} end"#) == #"msg {\"passwd\":\"[REDACTED]\"} end"#)
        #expect(r.redactText(#"{"credentials":{"user":"a","p":"b"},"n":1}"#) == #"{"credentials":[REDACTED],"n":1}"#)
        #expect(r.redactText("Authorization: Token abc123 next") == "Authorization: Token [REDACTED] next")
        #expect(r.redactText("session_id=s-42 password = x1\nnext") == "session_id=s-42 password = [REDACTED]\nnext")
        #expect(Redactor(keep: ["pwd"]).redactText("pwd=/home/bob") == "pwd=/home/bob")
    }

    @Test func urlCredentialsKeepUserAndHost() {
        #expect(
            r.redactText("cannot connect to postgres://app:SECRET@db/x (timeout)")
                == "cannot connect to postgres://app:[REDACTED]@db/x (timeout)")
        #expect(r.redactText("redis://:pw@cache:6379/0") == "redis://:[REDACTED]@cache:6379/0")
        #expect(r.redactText("amqp://u:p@ss@mq:5672") == "amqp://u:[REDACTED]@mq:5672")
        #expect(r.redactText(#"{"dsn":"mysql:\/\/root:pw1@db"}"#) == #"{"dsn":"mysql:\/\/root:[REDACTED]@db"}"#)
        for kept in ["https://user@host/x", "https://host:8443/a:b@c", "mailto:bob@example.com", "see http://x.y/"] {
            #expect(r.redactText(kept) == kept)
        }
    }

    @Test func tokenShapesInFreeTextAreMasked() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl_-x"
        #expect(r.redactText("token \(jwt) ok") == "token [REDACTED] ok")
        #expect(r.redactText("not eyJhbGciOiJIUzI1NiJ9 alone") == "not eyJhbGciOiJIUzI1NiJ9 alone")
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        #expect(r.redactText("aws AKIAIOSFODNN7EXAMPLE \(secret) done") == "aws [REDACTED] [REDACTED] done")
        #expect(r.redactText("\(secret), ASIAIOSFODNN7EXAMPLE") == "[REDACTED], [REDACTED]")
        let sha = "3f786850e387550fdab836ed7e6dc881de23001b"
        #expect(r.redactText("AKIAIOSFODNN7EXAMPLE \(sha)") == "[REDACTED] \(sha)")
        #expect(r.redactText("AKIAIOSFODNN7EXAMPL") == "AKIAIOSFODNN7EXAMPL")
        let ghp = "ghp_" + String(repeating: "a1", count: 18)
        #expect(
            r.redactText("gh \(ghp) github_pat_11AAAAAAA0abcdefghijklmnop_qrstuvwxyz end")
                == "gh [REDACTED] [REDACTED] end")
        #expect(
            r.redactText("slack xoxb-1234-5678-abcdefghij xapp-1-A0-123-abcdef end")
                == "slack [REDACTED] [REDACTED] end")
        #expect(r.redactText("ghp_short xoxb-1 github_pat_") == "ghp_short xoxb-1 github_pat_")
        #expect(r.redactText("Bearer abc.def, ok") == "Bearer [REDACTED], ok")
    }

    @Test func awsSecretKeyIsMaskedOnEitherSideAlsoJSONEscaped() {
        let escaped = #"wJalrXUtnFEMI\/K7MDENG\/bPxRfiCYEXAMPLEKEY"#
        #expect(
            r.redactText("aws wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY then AKIAIOSFODNN7EXAMPLE")
                == "aws [REDACTED] then [REDACTED]")
        #expect(
            r.redactText(#"{"m":"aws \#(escaped) then AKIAIOSFODNN7EXAMPLE","#)
                == #"{"m":"aws [REDACTED] then [REDACTED]","#)
        #expect(r.redactText(#"{"m":"ASIAIOSFODNN7EXAMPLE \#(escaped)"}"#) == #"{"m":"[REDACTED] [REDACTED]"}"#)
        let notAKey = #"x\/"# + String(repeating: "a", count: 38) + "Z"  // 41 characters
        #expect(r.redactText("\(notAKey) AKIAIOSFODNN7EXAMPLE") == "\(notAKey) [REDACTED]")
    }

    @Test func credentialFollowsAnyRunOfSchemeWords() {
        #expect(r.redactText("Authorization: Bearer Bearer tok789 x") == "Authorization: Bearer Bearer [REDACTED] x")
        #expect(r.redactText("auth basic Basic dXNlcjpwYXNz=") == "auth basic Basic [REDACTED]")
        #expect(r.redactText(#"{"h":"Bearer Token  tok790"}"#) == #"{"h":"Bearer Token  [REDACTED]"}"#)
        #expect(r.redactText("Authorization: Bearer Bearer") == "Authorization: Bearer [REDACTED]")
        #expect(r.redactText("Bearer  tok791") == "Bearer  [REDACTED]")
    }

    @Test func kubernetesSecretDataValuesAreMaskedWithTheirKeysKept() throws {
        var text = #"""
            {"kind":"Event","level":"RequestResponse","verb":"create","objectRef":{"resource":"secrets","name":"db"},
             "requestObject":{"kind":"Secret","apiVersion":"v1","metadata":{"name":"db","labels":{"app":"x"}},
               "type":"kubernetes.io/tls","data":{"tls.key":"LS0tS2V5","tls.crt":"LS0tQ3J0"},
               "stringData":{"connection":"host=db user=app"}},
             "responseObject":{"kind":"SecretList","items":[{"metadata":{"name":"a"},"data":{"connection":"c2VjcmV0"}}]},
             "data":{"connection":"not a secret"}}
            """#
        let event = try text.withUTF8 { bytes in
            var scanner = JSONScanner(bytes, maxDepth: 64)
            return try scanner.parseValue(depth: 0)
        }
        let out = r.redact(event)
        let mask = JSONValue.string("[REDACTED]")
        #expect(out.value(at: ["requestObject", "data", "tls.key"]) == mask)
        #expect(out.value(at: ["requestObject", "data", "tls.crt"]) == mask)
        #expect(out.value(at: ["requestObject", "stringData", "connection"]) == mask)
        #expect(out.value(at: ["responseObject", "items", "0", "data", "connection"]) == mask)
        #expect(out.value(at: ["requestObject", "metadata", "name"]) == .string("db"))
        #expect(out.value(at: ["requestObject", "type"]) == .string("kubernetes.io/tls"))
        #expect(out.value(at: ["data", "connection"]) == .string("not a secret"))
        #expect(r.redact(out) == out)
    }

    @Test func stripeNpmGoogleKeysAndSlackWebhooksAreMasked() {
        let stripe = "sk_live_" + String(repeating: "a1", count: 12)
        let npm = "npm_" + String(repeating: "b2", count: 18)
        let google = "AIzaSy" + String(repeating: "c", count: 31) + "_-"
        #expect(r.redactText("k \(stripe) n \(npm). g \(google) end") == "k [REDACTED] n [REDACTED]. g [REDACTED] end")
        #expect(
            r.redactText("post https://hooks.slack.com/services/T000/B000/XXXXsecret ok")
                == "post https://hooks.slack.com/services/[REDACTED] ok")
        #expect(
            r.redactText(#"{"u":"https:\/\/hooks.slack.com\/services\/T0\/B0\/XXsec"}"#)
                == #"{"u":"https:\/\/hooks.slack.com\/services\/[REDACTED]"}"#)
        let kept = "task_live_x my_sk_live_aaaaaaaaaaaaaaaaaaaa npm_short AIzaShort https://hooks.slack.com/other/x"
        #expect(r.redactText(kept) == kept)
    }

    @Test func privateKeyBlocksAreMaskedAcrossLines() {
        let block = "key -----BEGIN RSA PRIVATE KEY-----\nMIIEow\nAbCd==\n-----END RSA PRIVATE KEY----- loaded"
        #expect(
            r.redactText(block) == "key -----BEGIN RSA PRIVATE KEY-----[REDACTED]-----END RSA PRIVATE KEY----- loaded")
        #expect(
            r.redactText("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn")
                == "-----BEGIN OPENSSH PRIVATE KEY-----[REDACTED]")
        #expect(
            r.redactText("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----")
                == "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----")
        var open = false
        let lines = ["-----BEGIN PRIVATE KEY-----", "MIIEvQIBADANBg", "AAAA==", "-----END PRIVATE KEY-----", "next"]
        let out = lines.map { r.redactLine($0, privateKeyOpen: &open) }
        #expect(
            out == ["-----BEGIN PRIVATE KEY-----", "[REDACTED]", "[REDACTED]", "-----END PRIVATE KEY-----", "next"])
        #expect(!open)
    }

    @Test func privateKeyBodyLinesAreTrackedLineByLine() {
        var open = false
        var body: [Bool] = []
        for line in [
            #"{"msg":"loaded -----BEGIN PRIVATE KEY-----"}"#, "MIIEvQIBADAN", "AAAA== ", "-----END PRIVATE KEY-----",
            "MIIEvQIBADAN", #"{"msg":"-----BEGIN RSA PRIVATE KEY-----"}"#, #"{"msg":"next"}"#, "QUFB",
        ] {
            var t = line
            let state = t.withUTF8 { SecretScanner.privateKeyLine($0, open: open) }
            open = state.open
            body.append(state.body)
        }
        #expect(body == [false, true, true, false, false, false, false, false])
        #expect(!open)
    }

    @Test func structuredValuesMaskKeysHARPairsAndTextInside() {
        let v = JSONValue.object([
            JSONMember("pwd", .string("p")), JSONMember("author", .string("Jane")),
            JSONMember("session_id", .string("s-1")),
            JSONMember(
                "headers",
                .array([
                    .object([JSONMember("name", .string("X-Api-Key")), JSONMember("value", .string("k"))]),
                    .object([JSONMember("name", .string("Accept")), JSONMember("value", .string("text/csv"))]),
                ])),
            JSONMember("dsn", .string("postgres://app:pw@db/x")),
        ])
        let out = r.redact(v)
        #expect(
            out["pwd"] == .string("[REDACTED]") && out["author"] == .string("Jane")
                && out["session_id"] == .string("s-1"))
        #expect(out["headers"]?.value(at: ["0", "value"]) == .string("[REDACTED]"))
        #expect(out["headers"]?.value(at: ["1", "value"]) == .string("text/csv"))
        #expect(out["dsn"] == .string("postgres://app:[REDACTED]@db/x"))
    }

    @Test func cleanTextIsReturnedAsIsAndRedactionIsIdempotent() {
        let clean = "GET /api/v1/reports/sales-by-region/export user=alice.martin request_id=req-1 b e g x A B - : ="
        #expect(r.redactText(clean) == clean)
        for text in [
            "postgres://app:pw@db", "Authorization: Bearer abc", "pwd=x", "AKIAIOSFODNN7EXAMPLE",
            "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----",
        ] {
            let once = r.redactText(text)
            #expect(once != text && r.redactText(once) == once, "\(text)")
        }
    }

    @Test func triggerBytesAreExactlyTheDetectorsFirstBytes() {
        let triggers = Set("-:=AB_begx".utf8)
        for c in 0...255 { #expect(SecretScanner.isTrigger(UInt8(c)) == triggers.contains(UInt8(c)), "\(c)") }
    }
}
