import Foundation
import Testing

/// Issue 12: a corpus of secrets — every detector, placed in JSON keys, headers, query strings, bodies, URLs in
/// error text, free text kept with `--include-records` and malformed lines — run through the binary into every
/// sink (JSONL, CSV, a gzip archive, an XLSX query of that archive, the dead-letter file). No secret may appear
/// in any sink's bytes (gzip and zip members decompressed, base64 dead letters decoded), and the values that
/// must stay (request ids, paths, user names, a `session_id`, an `author`) are still there.
struct SecretsCorpusTests {
    /// A secret as written in the input, and the substrings of it that no sink may contain.
    struct Secret {
        var value: String
        var needles: [String]
        init(_ value: String, needles: [String]? = nil) {
            self.value = value
            self.needles = needles ?? [value]
        }
    }

    static let awsID = "AKIA" + "Q3FREETEXTKEY312"  // 4 + 16
    static let awsSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYfreeSEC32x"  // 40
    static let awsSessionID = "ASIA" + "Y7SESSIONKEYID33"
    static let awsSecretBefore = "bPxRfiCYbeforeSEC75x/K7MDENG/wJalrXUtnFE"  // 40
    static let awsSecretDead = "K7MDENG/bPxRfiCYdeadSEC56x/wJalrXUtnFEMI"  // 40
    static let jwtBody = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJib2R5Snd0In0.bodyJwtSigV4lue16xyz"
    static let jwtFree = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmcmVlVGV4dEp3dCJ9.freeJwtSigV4lue30_-abc"
    static let jwtDead = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJkZWFkTGV0dGVyIn0.deadJwtSigV4lue51"
    static let ghp = "ghp_" + "freeGhpTok3n33" + String(repeating: "a", count: 22)
    static let githubPAT = "github_pat_11ABCDEFG0freePat34_" + "abcdefghijklmnopqrstuvwxyz0123456789"
    static let slack = "xoxb-123456789012-1234567890123-freeSlackTok35abc"

    /// Every secret value placed in the corpus.
    static let secrets: [Secret] = [
        // headers
        Secret("hdrBearerTok3nQ9x"), Secret("xApiKeyV4lue77Q"), Secret("cookieV4lueZZ81"), Secret("xAuthHeaderV4l9"),
        Secret("cHJveHk6c2VjcmV0UHJveHk"),
        // query string
        Secret("qsAccessTok9K2"), Secret("qsPwdV4lue55"), Secret("qsAuthV4lue66"), Secret("qsAmzSig0123abcdef"),
        // body keys
        Secret("bodyPwdV4lue01"), Secret("bodyPasswdV4lue02"), Secret("bodyAuthV4lue03"), Secret("bodyAuthzV4lue04"),
        Secret("bodyCredPassV4lue05"), Secret("bodyPrivKeyV4lue06"), Secret("bodyClientSecretV4lue07"),
        Secret("bodyAccessTokV4lue08"), Secret("bodyRefreshTokV4lue09"), Secret("bodySessionV4lue10"),
        Secret("bodyXApiKeyV4lue11"), Secret("bodyCamelAccessTokV4lue12"), Secret("bodyBasicAuthV4lue13"),
        Secret("bodyDbPwdV4lue14"), Secret("bodyDsnPassV4lue15"), Secret(jwtBody, needles: ["bodyJwtSigV4lue16"]),
        Secret("harAuthzV4lue17"), Secret("bodyPrivKeyCamelV4lue18"),
        // error text (outcome.error)
        Secret("errUrlPassV4lue20"), Secret("errKvPassV4lue21"),
        Secret("errLongRedisPassV4lue22", needles: ["errLongRedis"]),
        // free text with --include-records
        Secret(jwtFree, needles: ["freeJwtSigV4lue30", "eyJzdWIiOiJmcmVlVGV4dEp3dCJ9"]),
        Secret(awsID), Secret(awsSecret, needles: [awsSecret, "freeSEC32x"]), Secret(awsSessionID),
        Secret(ghp, needles: ["freeGhpTok3n33"]), Secret(githubPAT, needles: ["freePat34"]),
        Secret(slack, needles: ["freeSlackTok35"]), Secret("freeUrlPass36"), Secret("freePwd37"), Secret("freeAuth38"),
        Secret("pemLineOneSecret40"), Secret("pemLineTwoSecret41"), Secret("freeBearer42"),
        // Kubernetes Secret objects (RequestResponse audit level), doubled auth schemes, an AWS secret key before its id
        Secret("k8sTlsKeyV4lue70"), Secret("k8sConnV4lue71"), Secret("k8sListConnV4lue72"),
        Secret("stripeFree76"), Secret("npmFree77"), Secret("GoogleFree78"), Secret("slackHookFree79"),
        Secret("pemRecordBody43"), Secret("pemRecordBody44"), Secret("hdrDoubleBearer73"), Secret("freeDoubleBasic74"),
        Secret(awsSecretBefore, needles: [awsSecretBefore, "beforeSEC75x"]),
        // dead letters
        Secret("dlPassV4lue50"), Secret(jwtDead, needles: ["deadJwtSigV4lue51"]), Secret("dlAuthV4lue52"),
        Secret("dlUrlPass53"), Secret("dlBearer54"), Secret("dlPwdInvalidUtf8V55"), Secret("dlPemBody57"),
        Secret("dlPemAfterRecord58"),
        Secret(awsSecretDead, needles: [awsSecretDead, "deadSEC56x"]),
    ]

    /// Values that must survive redaction.
    static let kept = [
        "req-redact-0001", "req-redact-0002", "/api/v1/reports/sales-by-region/export", "alice.martin", "bob.keller",
        "sess-keep-4242", "Jane Austen", "jausten", "postgres://app:", "@db.internal:5432/reports", "deploy:",
        "@git.example.com/repo.git",
    ]

    static func corpus() -> [String: String] {
        let api =
            #"{"ts":"2026-11-21T10:00:00.000Z","service":"api-gateway","request_id":"req-redact-0001","method":"POST","url":"/api/v1/reports/sales-by-region/export?format=csv&access_token=qsAccessTok9K2&pwd=qsPwdV4lue55&auth=qsAuthV4lue66&X-Amz-Signature=qsAmzSig0123abcdef&page=2","status":500,"user":"alice.martin","headers":{"Authorization":"Bearer hdrBearerTok3nQ9x","X-Api-Key":"xApiKeyV4lue77Q","Cookie":"sid=cookieV4lueZZ81","X-Auth":"xAuthHeaderV4l9","Proxy-Authorization":"Basic cHJveHk6c2VjcmV0UHJveHk=","User-Agent":"curl/8.5.0"},"body":{"pwd":"bodyPwdV4lue01","passwd":"bodyPasswdV4lue02","auth":"bodyAuthV4lue03","authorization":"bodyAuthzV4lue04","credentials":{"user":"svc","pass":"bodyCredPassV4lue05"},"private_key":"bodyPrivKeyV4lue06","privateKey":"bodyPrivKeyCamelV4lue18","client_secret":"bodyClientSecretV4lue07","access_token":"bodyAccessTokV4lue08","refresh_token":"bodyRefreshTokV4lue09","session":"bodySessionV4lue10","x-api-key":"bodyXApiKeyV4lue11","accessToken":"bodyCamelAccessTokV4lue12","basicAuth":"bodyBasicAuthV4lue13","DB_PWD":"bodyDbPwdV4lue14","dsn":"postgres://app:bodyDsnPassV4lue15@db.internal:5432/orders","note":"signed \#(jwtBody) ok","author":"Jane Austen","session_id":"sess-keep-4242","har":[{"name":"Authorization","value":"harAuthzV4lue17"},{"name":"Accept","value":"text/csv"}]}}"#
        let longPad = String(repeating: "x", count: 480)
        let app = [
            #"{"ts":"2026-11-21T10:00:00.020Z","service":"reports","level":"error","request_id":"req-redact-0001","msg":"export failed: cannot connect to postgres://app:errUrlPassV4lue20@db.internal:5432/reports (timeout) password=errKvPassV4lue21"}"#,
            #"{"ts":"2026-11-21T10:00:00.030Z","service":"reports","level":"error","request_id":"req-redact-0002","user":"bob.keller","msg":"\#(longPad) cache redis://:errLongRedisPassV4lue22@cache:6379/0 down"}"#,
            #"{"ts":"2026-11-21T10:00:00.040Z","service":"reports","level":"info","request_id":"req-redact-0001","msg":"token \#(jwtFree) aws \#(awsID) \#(awsSecret) session \#(awsSessionID) gh \#(ghp) pat \#(githubPAT) slack \#(slack)"}"#,
            #"{"ts":"2026-11-21T10:00:00.041Z","service":"reports","level":"info","request_id":"req-redact-0001","msg":"clone https://deploy:freeUrlPass36@git.example.com/repo.git pwd=freePwd37 auth=freeAuth38 author=jausten","header":"Bearer freeBearer42"}"#,
            #"{"ts":"2026-11-21T10:00:00.042Z","service":"reports","level":"info","request_id":"req-redact-0001","msg":"aws \#(awsSecretBefore) then \#(awsID) and basic Basic freeDoubleBasic74 stripe sk_live_stripeFree76aaaaaa npm npm_npmFree77bbbbbbbbbbbbbbbbbbbbbbbbbbbbb google AIzaSyGoogleFree78ccccccccccccccccccccc hook https://hooks.slack.com/services/T0/B0/slackHookFree79","h":{"Authorization":"Bearer Bearer hdrDoubleBearer73"}}"#,
            #"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"req-redact-0002","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/prod/secrets","verb":"create","user":{"username":"bob.keller"},"objectRef":{"resource":"secrets","namespace":"prod","name":"db-tls"},"requestReceivedTimestamp":"2026-11-21T10:00:00.043000Z","stageTimestamp":"2026-11-21T10:00:00.044000Z","requestObject":{"kind":"Secret","apiVersion":"v1","metadata":{"name":"db-tls"},"type":"kubernetes.io/tls","data":{"tls.key":"k8sTlsKeyV4lue70"},"stringData":{"connection":"k8sConnV4lue71"}},"responseObject":{"kind":"SecretList","items":[{"metadata":{"name":"db-tls"},"data":{"connection":"k8sListConnV4lue72"}}]}}"#,
            // A PEM block logged from a JSON line: its bare body lines are records (or dead letters) of their own.
            #"{"ts":"2026-11-21T10:00:00.045Z","service":"reports","level":"info","request_id":"req-redact-0001","msg":"loaded -----BEGIN PRIVATE KEY-----"}"#,
            "MIIEvQIBADANpemRecordBody43AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "pemRecordBody44BBBBBBBBBBBBBBBB==",
            "-----END PRIVATE KEY-----",
        ].joined(separator: "\n")
        let text = [
            "2026-11-21T10:00:00.050Z ERROR request_id=req-redact-0001 loaded key -----BEGIN RSA PRIVATE KEY-----",
            "MIIEpAIBAAKCAQEApemLineOneSecret40xxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "pemLineTwoSecret41yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy==",
            "-----END RSA PRIVATE KEY-----",
            "2026-11-21T10:00:00.060Z INFO request_id=req-redact-0001 done",
        ].joined(separator: "\n")
        let bad = [
            #"{"ts":"2026-11-21T10:00:01Z","password":"dlPassV4lue50","note":"\#(jwtDead)","x": "#,
            #"{"request_id":"req-dl","auth":"dlAuthV4lue52","dsn":"mysql://root:dlUrlPass53@db/x""#,
            "{\"ctl\":\"\u{01}\",\"h\":\"Authorization: Bearer dlBearer54\"",
            #"{"ctl":"aws \#(awsSecretDead.replacingOccurrences(of: "/", with: #"\/"#)) then \#(awsSessionID)","#,
        ].joined(separator: "\n")
        return ["api.jsonl": api + "\n", "app.jsonl": app + "\n", "svc.log": text + "\n", "bad.jsonl": bad + "\n"]
    }

    /// A line that is not UTF-8 (raw_base64 in the dead letter), and a PEM block printed line by line into a JSON
    /// log (each line its own dead letter).
    static func rawCorpus() -> [UInt8] {
        var b = Array(#"{"pwd":"dlPwdInvalidUtf8V55","x":""#.utf8) + [0xFF, 0xFE] + Array(#"","id":"\#(awsID)"}"#.utf8)
        b += Array("\n-----BEGIN PRIVATE KEY-----\nMIIEvdlPemBody57AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n".utf8)
        b += Array("-----END PRIVATE KEY-----\n".utf8)
        b += Array(#"{"ts":"2026-11-21T10:00:02Z","msg":"key -----BEGIN EC PRIVATE KEY-----"}"#.utf8)
        b += Array("\nMHcCAQEEIdlPemAfterRecord58AAAAAAAAAAAAAAAAAAA=\n-----END EC PRIVATE KEY-----\n".utf8)
        return b
    }

    static let columns =
        "event_id,request_id,start,actor.user,actor.user_agent,action,entity.id,outcome.status,outcome.error,api.path,api.query,api.payload,entries"

    @Test func noSecretReachesAnySinkAndKeptValuesStay() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, text) in Self.corpus() {
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        try Data(Self.rawCorpus()).write(to: dir.appendingPathComponent("raw.jsonl"))
        let inputs = ["api.jsonl", "app.jsonl", "svc.log", "bad.jsonl"]
        func run(_ args: [String]) throws {
            let r = try AuditPipeBinary.run(args, in: dir)
            #expect(r.status == 0, "auditpipe \(args.joined(separator: " ")): \(r.stderr)")
        }
        try run(["correlate"] + inputs + ["-o", "default.jsonl", "-q"])
        try run(
            ["correlate"] + inputs + ["--include-records", "-o", "events.jsonl", "--dead-letter", "dead.jsonl", "-q"])
        try run(
            ["correlate"] + inputs + [
                "--include-records", "--output-format", "csv", "--columns", Self.columns, "-o", "events.csv", "-q",
            ])
        try run(["correlate", "--format", "json", "raw.jsonl", "--dead-letter", "dead-raw.jsonl", "-q"])
        try run(["correlate"] + inputs + ["--include-records", "--output-dir", "live", "-q"])
        try run(["archive", "--from", "live", "--to", "archive", "-q"])
        try run([
            "query", "archive", "--all", "--output-format", "xlsx", "--columns", Self.columns, "-o", "q.xlsx", "-q",
        ])

        var sinks: [String: String] = [:]
        for name in ["default.jsonl", "events.jsonl", "events.csv", "dead.jsonl", "dead-raw.jsonl"] {
            sinks[name] = try Self.text(dir.appendingPathComponent(name))
        }
        let gz = FileManager.default.enumerator(atPath: dir.appendingPathComponent("archive").path)!
            .compactMap { $0 as? String }.filter { $0.hasSuffix(".gz") }
        #expect(!gz.isEmpty)
        for f in gz { sinks["archive/" + f] = try Self.shell("gzip -dc 'archive/\(f)'", in: dir) }
        sinks["q.xlsx"] = try Self.shell(
            "unzip -p q.xlsx || python3 -c 'import zipfile,sys; z=zipfile.ZipFile(\"q.xlsx\"); [sys.stdout.write(z.read(n).decode()) for n in z.namelist()]'",
            in: dir)

        for (sink, text) in sinks.sorted(by: { $0.key < $1.key }) {
            #expect(!text.isEmpty, "\(sink) is empty")
            for s in Self.secrets {
                for needle in s.needles {
                    let leaked = Self.forms(needle).contains(where: text.contains)
                    #expect(!leaked, "\(sink) leaks \(needle)")
                }
            }
        }
        // What must stay, in each sink that carries it.
        for sink in ["events.jsonl", "events.csv", "q.xlsx"] + gz.map({ "archive/" + $0 }) {
            let text = try #require(sinks[sink])
            for k in Self.kept {
                let found = Self.forms(k).contains(where: text.contains)
                #expect(found, "\(sink) lost \(k)")
            }
        }
        for k in ["req-redact-0001", "/api/v1/reports/sales-by-region/export", "alice.martin", "sess-keep-4242"] {
            let found = sinks["default.jsonl"]!.contains(k)
            #expect(found, "default.jsonl lost \(k)")
        }
        let marked = [
            ("default.jsonl", "postgres://app:[REDACTED]@db.internal:5432/reports"),
            ("dead.jsonl", "mysql://root:[REDACTED]@db/x"), ("dead-raw.jsonl", "-----BEGIN PRIVATE KEY-----"),
        ]
        for (sink, marker) in marked {
            let found = sinks[sink]!.contains(marker)
            #expect(found, "\(sink) lacks \(marker)")
        }
    }

    /// A pipeline file's `enrich: redact:` and `keep:` reach events and dead letters alike.
    @Test func pipelineRedactAndKeepApplyToEventsAndDeadLetters() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try """
        inputs:
          - path: in.jsonl
        enrich:
          redact: [tenant_pin, "*otp*"]
          keep: [token_type]
        outputs:
          - type: jsonl
            path: events.jsonl
          - type: dead_letter
            path: dead.jsonl
        """.write(to: dir.appendingPathComponent("p.yaml"), atomically: true, encoding: .utf8)
        let lines = [
            #"{"ts":"2026-11-21T10:00:00Z","request_id":"r-1","method":"POST","path":"/api/v1/login","status":200,"body":{"tenant_pin":"pinV4lue61","sms_otp_code":"otpV4lue62","token_type":"bearer","user":"carol"}}"#,
            #"{"ts":"2026-11-21T10:00:01Z","tenant_pin":"pinDeadV4lue63","token_type":"bearer" "#,
        ]
        try (lines.joined(separator: "\n") + "\n").write(
            to: dir.appendingPathComponent("in.jsonl"), atomically: true, encoding: .utf8)
        let r = try AuditPipeBinary.run(["run", "p.yaml", "-q"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let events = try String(contentsOf: dir.appendingPathComponent("events.jsonl"), encoding: .utf8)
        let dead = try String(contentsOf: dir.appendingPathComponent("dead.jsonl"), encoding: .utf8)
        for secret in ["pinV4lue61", "otpV4lue62", "pinDeadV4lue63"] {
            let leaked = events.contains(secret) || dead.contains(secret)
            #expect(!leaked, "\(secret)")
        }
        #expect(events.contains(#""token_type":"bearer""#) && events.contains(#""user":"carol""#))
        #expect(dead.contains(#"\"tenant_pin\":\"[REDACTED]\""#) && dead.contains(#"\"token_type\":\"bearer\""#))
    }

    /// The needle as written raw, JSON-escaped (`/` as `\/`) and XML-escaped.
    static func forms(_ s: String) -> Set<String> {
        [
            s, s.replacingOccurrences(of: "/", with: "\\/"),
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;"),
        ]
    }

    /// A file's text, with every `raw_base64` dead letter decoded in place.
    static func text(_ url: URL) throws -> String {
        let data = try Data(contentsOf: url)
        var text = String(decoding: data, as: UTF8.self)
        for line in text.split(separator: "\n") where line.contains("\"raw_base64\"") {
            let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let raw = try #require(Data(base64Encoded: obj["raw_base64"] as! String))
            text += "\n" + String(decoding: raw, as: UTF8.self)
        }
        return text
    }

    static func shell(_ script: String, in dir: URL) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", script]
        p.currentDirectoryURL = dir
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
