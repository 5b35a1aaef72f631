import Foundation
import Testing

/// Checks correlation on the real OpenStack logs in `../shared/realdata` against the ground truth its README
/// gives (context ids), and against an independent count made here with a plain regex over the files.
struct RealDataGroundTruthTests {
    static let realdata = AuditPipeBinary.packageRoot.deletingLastPathComponent().appendingPathComponent(
        "shared/realdata")

    struct Summary {
        var events = 0
        var records = 0
        var recordsPerID: [String: Int] = [:]
        var servicesHistogram: [Int: Int] = [:]
    }

    static func correlate(_ paths: [String]) throws -> (Summary, [String: Int]) {
        let tmp = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let statsURL = tmp.appendingPathComponent("stats.json")
        let r = try AuditPipeBinary.run(
            ["correlate"] + paths + ["--idle", "30d", "--stats", statsURL.path, "-q"], in: realdata)
        #expect(r.status == 0, "\(r.stderr)")
        var s = Summary()
        for line in r.stdout.split(separator: UInt8(ascii: "\n")) {
            let e = try JSONSerialization.jsonObject(with: Data(line)) as! [String: Any]
            guard let id = e["request_id"] as? String else { continue }
            s.events += 1
            let n = e["records"] as! Int
            s.records += n
            s.recordsPerID[id, default: 0] += n
            s.servicesHistogram[(e["services"] as! [String]).count, default: 0] += 1
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
        let (s, stats) = try Self.correlate(["openstack/loghub_OpenStack_2k.log"])
        #expect(s.events == 938)
        #expect(s.records == 1845)
        #expect(s.servicesHistogram == [1: 895, 2: 43])
        #expect(stats["lines_read"] == 2000 && stats["dead_lettered"] == 0)
        let oracle = try Self.contextIDCounts([
            Self.realdata.appendingPathComponent("openstack/loghub_OpenStack_2k.log")
        ])
        #expect(s.recordsPerID == oracle)
        #expect(s.recordsPerID["req-addc1839-2ed5-4778-b57e-5854eb7b8b09"] == 398)
    }

    @Test func liveMigrationSetMatchesGroundTruth() throws {
        let (s, stats) = try Self.correlate(["openstack/live-migration"])
        #expect(s.events == 208)
        #expect(s.records == 3436)
        #expect(s.servicesHistogram == [1: 177, 2: 31])
        #expect(stats["lines_read"] == 14735)
        #expect(stats["lines_read"] == stats["record_lines"]! + stats["dead_lettered"]! + stats["blank"]!)
        let dir = Self.realdata.appendingPathComponent("openstack/live-migration")
        let files = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "log" }
        #expect(files.count == 21)
        #expect(s.recordsPerID == (try Self.contextIDCounts(files)))
    }
}
