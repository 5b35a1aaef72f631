import Foundation
import Testing

/// Checks correlation on the real OpenStack logs in `../shared/realdata` against the ground truth its README
/// gives (context ids), and against an independent count made here with a plain regex over the files.
/// Skipped, and named as skipped, on a clone without `../shared/realdata` beside it.
@Suite(.enabled(if: EventClockDifferentialTests.hasRealData, "needs ../shared/realdata beside the checkout"))
struct RealDataGroundTruthTests {
    static let realdata = AuditPipeBinary.packageRoot.deletingLastPathComponent().appendingPathComponent(
        "shared/realdata")

    struct Summary {
        var events = 0
        var records = 0
        var recordsPerID: [String: Int] = [:]
    }

    static func correlate(_ paths: [String]) throws -> (Summary, [String: Int]) {
        let tmp = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let statsURL = tmp.appendingPathComponent("stats.json")
        let r = try AuditPipeBinary.run(
            ["correlate"] + paths + ["--stats", statsURL.path, "-q"], in: realdata)
        #expect(r.status == 0, "\(r.stderr)")
        var s = Summary()
        for line in r.stdout.split(separator: UInt8(ascii: "\n")) {
            let e = try JSONSerialization.jsonObject(with: Data(line)) as! [String: Any]
            guard let id = e["request_id"] as? String else { continue }
            s.events += 1
            let n = e["records"] as! Int
            s.records += n
            s.recordsPerID[id, default: 0] += n
        }
        return (s, try AuditPipeBinary.stats(at: statsURL))
    }

    /// Lines per context id: the first `[req-<uuid>` on each line, found with a regex, not with auditpipe's parser.
    static func contextIDCounts(_ files: [URL]) throws -> [String: Int] {
        let regex = try Regex(#"\[(req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"#)
        var counts: [String: Int] = [:]
        for f in files {
            let text = try String(contentsOf: f, encoding: .utf8)
            for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
                if let m = line.firstMatch(of: regex), let id = m.output[1].substring {
                    counts[String(id), default: 0] += 1
                }
            }
        }
        return counts
    }

    @Test func loghubOpenStackSampleMatchesGroundTruth() throws {
        // Default idle gap: an id logged again after a quiet spell (a periodic task) is a new event; the
        // records of every id still add up to what the file holds.
        let (s, stats) = try Self.correlate(["openstack/loghub_OpenStack_2k.log"])
        #expect(s.recordsPerID.count == 938)
        #expect(s.events == 1006)
        #expect(s.records == 1845)
        #expect(stats["lines_read"] == 2000 && stats["dead_lettered"] == 0)
        let oracle = try Self.contextIDCounts([
            Self.realdata.appendingPathComponent("openstack/loghub_OpenStack_2k.log")
        ])
        #expect(s.recordsPerID == oracle)
        #expect(s.recordsPerID["req-addc1839-2ed5-4778-b57e-5854eb7b8b09"] == 398)
    }

    @Test func liveMigrationSetMatchesGroundTruth() throws {
        let (s, stats) = try Self.correlate(["openstack/live-migration"])
        #expect(s.recordsPerID.count == 208)
        #expect(s.events == 278)
        #expect(s.records == 3436)
        #expect(stats["lines_read"] == 14735)
        #expect(stats["lines_read"] == stats["record_lines"]! + stats["dead_lettered"]! + stats["blank"]!)
        let dir = Self.realdata.appendingPathComponent("openstack/live-migration")
        let files = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "log" }
        #expect(files.count == 21)
        #expect(s.recordsPerID == (try Self.contextIDCounts(files)))
    }
    /// The Kubernetes audit sample: one event per auditID (README: 1,484 distinct, 2,971 stage lines), each
    /// with its verb as action, its object as entity and its response code, checked against the raw file.
    @Test func kubernetesAuditGivesOneEventPerAuditID() throws {
        let path = "k8s-audit/immudb-log-audit_k8s.log.gz"
        let r = try AuditPipeBinary.run(["correlate", path, "--idle", "30d", "-q"], in: Self.realdata)
        #expect(r.status == 0, "\(r.stderr)")
        let events = try r.stdout.split(separator: UInt8(ascii: "\n")).map {
            try JSONSerialization.jsonObject(with: Data($0)) as! [String: Any]
        }
        #expect(events.count == 1_484)
        #expect(Set(events.compactMap { $0["request_id"] as? String }).count == 1_484)
        #expect(events.reduce(0) { $0 + ($1["records"] as! Int) } == 2_971)
        // Checked against the raw JSON read here: each ResponseComplete stage's code, verb and object.
        let byID = Dictionary(uniqueKeysWithValues: events.map { ($0["request_id"] as! String, $0) })
        let lines = try Self.gunzip(Self.realdata.appendingPathComponent(path))
        var checked = 0
        for line in lines {
            let e = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            guard e["stage"] as? String == "ResponseComplete", let id = e["auditID"] as? String,
                let code = (e["responseStatus"] as? [String: Any])?["code"] as? Int
            else { continue }
            let event = byID[id]!
            #expect((event["outcome"] as! [String: Any])["status"] as? Int == code)
            #expect(
                event["action"] as? String == ["get": "view", "patch": "update"][e["verb"] as! String] ?? e["verb"]
                    as? String)
            if let ref = e["objectRef"] as? [String: Any], let name = ref["name"] as? String, ref["subresource"] == nil
            {
                #expect((event["entity"] as! [String: Any])["id"] as? String == name, "\(id)")
            }
            checked += 1
        }
        #expect(checked == 1_376)  // 1,373 + 3 requests with a ResponseComplete stage
    }

    /// CloudTrail files (pretty-printed JSON arrays, README: 23 files, 174 records): every record kept as its
    /// own event (requestIDs are unique), eventName as action, errorCode as an error — checked against the raw JSON.
    @Test func cloudTrailKeepsEveryRecord() throws {
        let dir = Self.realdata.appendingPathComponent("cloudtrail/stratus-red-team")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }
            .sorted()
        #expect(files.count == 23)
        let tmp = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let statsURL = tmp.appendingPathComponent("stats.json")
        let r = try AuditPipeBinary.run(
            ["correlate", "cloudtrail/stratus-red-team", "--stats", statsURL.path, "-q"], in: Self.realdata)
        #expect(r.status == 0, "\(r.stderr)")
        let stats = try AuditPipeBinary.stats(at: statsURL)
        #expect(stats["records"] == 174 && stats["events"] == 174 && stats["dead_lettered"] == 0)
        let events = try r.stdout.split(separator: UInt8(ascii: "\n")).map {
            try JSONSerialization.jsonObject(with: Data($0)) as! [String: Any]
        }
        let byID = Dictionary(uniqueKeysWithValues: events.map { ($0["request_id"] as! String, $0) })
        var errors = 0
        for f in files {
            let records =
                try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent(f)))
                as! [[String: Any]]
            for rec in records {
                let event = try #require(byID[rec["requestID"] as! String])
                #expect(event["action"] as? String == rec["eventName"] as? String)
                #expect(event["services"] as? [String] == [rec["eventSource"] as! String])
                let outcome = event["outcome"] as! [String: Any]
                if let code = rec["errorCode"] as? String {
                    errors += 1
                    #expect(outcome["result"] as? String == "error")
                    #expect((outcome["error"] as? String)?.hasPrefix(code) == true)
                } else {
                    #expect(outcome["result"] as? String == "success")
                }
            }
        }
        #expect(errors == 51)
    }

    /// The HAR export (README: 14 entries, pretty-printed): every entry an API call, with its method, path,
    /// status and start time as the raw JSON has them; nothing dead-lettered.
    @Test func harEntriesAreAPICalls() throws {
        let r = try AuditPipeBinary.run(["correlate", "har/mitmproxy_firefox.har", "-q"], in: Self.realdata)
        #expect(r.status == 0, "\(r.stderr)")
        let events = try r.stdout.split(separator: UInt8(ascii: "\n")).map {
            try JSONSerialization.jsonObject(with: Data($0)) as! [String: Any]
        }
        let har =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: Self.realdata.appendingPathComponent("har/mitmproxy_firefox.har")))
            as! [String: Any]
        let entries = (har["log"] as! [String: Any])["entries"] as! [[String: Any]]
        #expect(entries.count == 14 && events.count == 14)
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let got = Set(
            events.map { e -> String in
                let api = e["api"] as! [String: Any]
                return "\(e["start"]!) \(api["method"]!) \(api["path"]!) \((e["outcome"] as! [String: Any])["status"]!)"
            })
        let want = Set(
            entries.map { entry -> String in
                let request = entry["request"] as! [String: Any]
                let url = URL(string: request["url"] as! String)!
                let start = iso.string(from: iso.date(from: entry["startedDateTime"] as! String)!)
                return
                    "\(start) \(request["method"]!) \(url.path.isEmpty ? "/" : url.path) \((entry["response"] as! [String: Any])["status"]!)"
            })
        #expect(got == want)
    }

    /// The access-log samples parse with no dead-lettered line (Apache combined; ingress-nginx upstreaminfo).
    @Test(arguments: [
        ("access/elastic-examples_apache_logs.lines1-5000.log", 5_000),
        ("access/beats_nginx_ingress_controller_test.log", 29),
    ])
    func accessLogsParseWhole(path: String, lines: Int) throws {
        let tmp = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let statsURL = tmp.appendingPathComponent("stats.json")
        let r = try AuditPipeBinary.run(["correlate", path, "--stats", statsURL.path, "-q"], in: Self.realdata)
        #expect(r.status == 0, "\(r.stderr)")
        let stats = try AuditPipeBinary.stats(at: statsURL)
        #expect(stats["lines_read"] == lines && stats["record_lines"] == lines && stats["dead_lettered"] == 0)
    }

    static func gunzip(_ url: URL) throws -> [String] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "gzip -dc '\(url.path)'"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
