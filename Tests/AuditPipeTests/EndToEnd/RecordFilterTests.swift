import Foundation
import Testing

/// `auditpipe filter --records`: raw records (not events) whose fields match, read directly from the record
/// for the common fields and from its object for the rest (`fields.*`, `message`, `source`).
struct RecordFilterTests {
    static let input = """
        {"ts":"2026-11-21T10:00:00Z","request_id":"a","user":"alice","method":"GET","path":"/api/v1/x","status":200,"service":"gw"}
        {"ts":"2026-11-21T10:00:01Z","request_id":"b","user":"alice","method":"POST","path":"/api/v1/y","status":500,"service":"gw"}
        {"ts":"2026-11-21T10:00:02Z","request_id":"b","level":"error","msg":"boom","service":"orders","order_id":"o-9"}
        {"ts":"2026-11-21T10:00:03Z","request_id":"c","user":"bob","level":"info","msg":"fine","service":"orders","order_id":"o-7"}

        """

    func filter(_ expression: String) throws -> [[String: Any]] {
        let r = try AuditPipeBinary.run(
            ["filter", "--records", expression, "-q"], stdin: Data(Self.input.utf8))
        #expect(r.status == 0, "\(r.stderr)")
        return String(decoding: r.stdout, as: UTF8.self).split(separator: "\n").map {
            try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    @Test func commonFieldsAreReadFromTheRecord() throws {
        let out = try filter(#"user == "alice" and status >= 500"#)
        #expect(out.map { $0["request_id"] as? String } == ["b"])
        #expect(out.first?["path"] as? String == "/api/v1/y")
        #expect(try filter(#"method == null and service == "orders""#).count == 2)
        #expect(try filter(#"level == "error" or kind == "api""#).count == 3)
        #expect(try filter(#"time >= 2026-11-21T10:00:02Z"#).map { $0["request_id"] as? String } == ["b", "c"])
    }

    /// From a new-user trial (issue 14): a classic Logstash pattern's `auth` (the basic-auth user) was masked.
    @Test func aLogstashAuthUserNameCanBeFilteredOn() throws {
        let pattern =
            #"%{IPORHOST:clientip} %{HTTPDUSER:ident} %{HTTPDUSER:auth} \[%{HTTPDATE:timestamp}\] "%{WORD:verb} %{NOTSPACE:request} HTTP/%{NUMBER:httpversion}" %{NUMBER:response} %{NUMBER:bytes}"#
        let input = #"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326"#
        let r = try AuditPipeBinary.run(
            ["filter", "--records", #"fields.auth == "frank""#, "-q", "--text-pattern", pattern],
            stdin: Data((input + "\n").utf8))
        #expect(r.status == 0, "\(r.stderr)")
        let out = String(decoding: r.stdout, as: UTF8.self)
        #expect(out.contains(#""user":"frank""#) && out.contains(#""auth":"frank""#), "\(r.stderr)")
    }

    @Test func otherPathsAreReadFromTheRecordObject() throws {
        #expect(try filter(#"fields.order_id == "o-7""#).map { $0["request_id"] as? String } == ["c"])
        #expect(try filter(#"message contains "boom""#).map { $0["service"] as? String } == ["orders"])
        #expect(try filter(#"source ~ "-:*""#).count == 4)
    }

    /// From a new-user trial (helper-42): `"status":"NaN"` on one line killed a run whose filter compared it with a
    /// status class (exit 132, no accounting line); and `--output-dir` with `--records` failed only at run time
    /// (exit 3), after making the directory.
    @Test func aNaNStatusIsInNoClassAndOutputDirIsRefusedUpFront() throws {
        let input = """
            {"time":"2026-11-21T10:00:00Z","user":"bob","status":"NaN","msg":"x"}
            {"time":"2026-11-21T10:00:01Z","user":"NaN","method":"GET","path":"/api/v1/x/2","status":404}

            """
        var r = try AuditPipeBinary.run(
            ["filter", "--records", #"fields.status == 5xx or user == 2xx or status == 4xx"#], stdin: Data(input.utf8))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(String(decoding: r.stdout, as: UTF8.self).split(separator: "\n").count == 1)
        #expect(r.stderr.contains("2 lines read = 2 in 2 records") && r.stderr.contains("1 records matched"))
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let live = dir.appendingPathComponent("live").path
        r = try AuditPipeBinary.run(["filter", "--records", "true", "--output-dir", live], stdin: Data(input.utf8))
        #expect(r.status != 0 && r.stderr.contains("--output-dir keeps events by day"), "\(r.status) \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: live))
    }
}
