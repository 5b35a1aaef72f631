import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Ten thousand small inputs under an open-file limit of 1,024: a batch run stays under 256 MiB and gives
/// the events of the same lines in ten larger files; a follow run gives the events of the batch run.
@Suite(.serialized)
struct ManyInputsTests {
    static let count = 10_000

    /// The two lines of request `n`: received, then done 0.5 s later; requests start 10 ms apart.
    static func lines(_ n: Int) -> String {
        func time(_ ms: Int) -> String {
            func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
            let milli = ms % 1000
            let m = milli < 10 ? "00\(milli)" : milli < 100 ? "0\(milli)" : "\(milli)"
            return "2026-11-21T10:\(two(ms / 60_000)):\(two(ms / 1000 % 60)).\(m)Z"
        }
        let ms = n * 10
        return """
            {"time":"\(time(ms))","level":"info","service":"svc\(n % 7)","request_id":"req-\(n)","msg":"request received","method":"GET","path":"/api/items/\(n)"}
            {"time":"\(time(ms + 500))","level":"info","service":"svc\(n % 7)","request_id":"req-\(n)","msg":"request done","status":200}

            """
    }

    /// Writes `text` to a new file at `path` (plain open and write: ten thousand of them must be quick).
    static func write(_ text: String, to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
            if n <= 0 { return }
            done += n
        }
    }

    /// One file per request: `logs/r00000.log`…
    static func writeOneFilePerRequest(in dir: URL) throws {
        let logs = dir.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        for n in 0..<count {
            let digits = String(n)
            write(lines(n), to: logs.path + "/r" + String(repeating: "0", count: 5 - digits.count) + digits + ".log")
        }
    }

    /// The same lines in ten files, request `n` in file `n % 10`, in request order.
    static func writeTenFiles(in dir: URL) throws {
        let logs = dir.appendingPathComponent("ten")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        for f in 0..<10 {
            write(stride(from: f, to: count, by: 10).map(lines).joined(), to: logs.path + "/part\(f).log")
        }
    }

    /// The events of a JSONL file, sorted, without their ids (an id names the file its first record is in).
    static func eventsWithoutIDs(_ url: URL) -> [String] {
        let prefix = "{\"event_id\":\""
        return sortedLines(url).map { line in
            // `{"event_id":"` and 32 hex digits and `",`: what stays is `{"request_id":…`.
            line.hasPrefix(prefix) ? "{" + line.dropFirst(prefix.count + 34) : line
        }.sorted()
    }

    static func sortedLines(_ url: URL) -> [String] {
        let text = String(decoding: (try? Data(contentsOf: url)) ?? Data(), as: UTF8.self)
        return text.split(separator: "\n").map(String.init).sorted()
    }

    static func lineCount(_ url: URL) -> Int {
        guard let data = try? Data(contentsOf: url) else { return 0 }
        return data.withUnsafeBytes { raw in
            guard var p = raw.baseAddress else { return 0 }
            let end = p + raw.count
            var n = 0
            while p < end, let hit = memchr(p, 10, end - p) {
                n += 1
                p = UnsafeRawPointer(hit) + 1
            }
            return n
        }
    }

    @Test func tenThousandSmallFilesUnderAThousandDescriptorsStayUnder256MiB() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.writeOneFilePerRequest(in: dir)
        try Self.writeTenFiles(in: dir)

        let many = try LimitedProcess(
            ["correlate", "logs", "-o", "many.jsonl", "--stats", "many.json", "--idle", "1s", "-q"], in: dir,
            openFiles: 1024)
        let (status, rss) = many.wait()
        let stderr = (try? String(contentsOf: dir.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
        #expect(status == 0, "\(stderr)")
        #expect(rss < 256 << 10, "peak RSS \(rss >> 10) MiB over 10,000 inputs")

        let ten = try AuditPipeBinary.run(
            ["correlate", "ten", "-o", "ten.jsonl", "--idle", "1s", "-q"], in: dir)
        #expect(ten.status == 0, "\(ten.stderr)")
        let fromMany = Self.eventsWithoutIDs(dir.appendingPathComponent("many.jsonl"))
        #expect(fromMany.count == Self.count)
        #expect(fromMany == Self.eventsWithoutIDs(dir.appendingPathComponent("ten.jsonl")))
        let stats = try AuditPipeBinary.stats(at: dir.appendingPathComponent("many.json"))
        #expect(stats["inputs"] == Self.count && stats["input_errors"] == 0 && stats["lines_read"] == 2 * Self.count)
    }

    @Test func followingTenThousandFilesUnderAThousandDescriptorsGivesTheBatchEvents() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.writeOneFilePerRequest(in: dir)

        let follower = try LimitedProcess(
            [
                "correlate", "--follow", "logs/*.log", "-o", "followed.jsonl", "--stats", "followed.json", "--idle",
                "1s", "-q",
            ], in: dir, openFiles: 1024)
        // Every request is one event once its file has been quiet for the idle gap; then stop it.
        let events = dir.appendingPathComponent("followed.jsonl")
        let deadline = Date().addingTimeInterval(180)
        while Self.lineCount(events) < Self.count && Date() < deadline { usleep(200_000) }
        let seen = Self.lineCount(events)
        follower.send(SIGTERM)
        let (status, _) = follower.wait()
        let stderr = (try? String(contentsOf: dir.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
        #expect(seen == Self.count, "\(seen) events before the stop")
        #expect(status == 143, "\(stderr)")

        let batch = try LimitedProcess(
            ["correlate", "logs/*.log", "-o", "batch.jsonl", "--stats", "batch.json", "--idle", "1s", "-q"], in: dir,
            openFiles: 1024)
        #expect(batch.wait().status == 0)
        let followed = Self.sortedLines(events)
        let expected = Self.sortedLines(dir.appendingPathComponent("batch.jsonl"))
        #expect(expected.count == Self.count)
        #expect(followed == expected)
        let stats = try AuditPipeBinary.stats(at: dir.appendingPathComponent("followed.json"))
        let batchStats = try AuditPipeBinary.stats(at: dir.appendingPathComponent("batch.json"))
        for key in ["lines_read", "record_lines", "events", "late", "partial", "input_errors"] {
            #expect(
                stats[key] == batchStats[key], "\(key): followed \(stats[key] ?? -1), batch \(batchStats[key] ?? -1)")
        }
    }
}
