import AuditPipe
import Foundation
import Testing

/// The event-time clock judged against a second path rather than examples: the skew guard on vs off on real
/// logs, a dump with outliers vs the same dump without them, a paced live writer vs a batch run of the same
/// bytes, and event ids that stay distinct through an archive.
struct EventClockDifferentialTests {
    static let realdata = AuditPipeBinary.packageRoot.deletingLastPathComponent().appendingPathComponent(
        "shared/realdata")
    static let hasRealData = FileManager.default.fileExists(
        atPath: realdata.appendingPathComponent("openstack/live-migration").path)

    static func lines(_ data: Data) -> [String] {
        String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// An event line without its `event_id` (ids name the first record's byte offset, which moves when lines
    /// are inserted before it).
    static func withoutID(_ line: String) -> String {
        guard let comma = line.firstIndex(of: ",") else { return line }
        return String(line[line.index(after: comma)...])
    }

    static func demo(requests: Int, seed: Int) throws -> Data {
        let r = try AuditPipeBinary.run(["demo", "--requests", "\(requests)", "--seed", "\(seed)"])
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout
    }

    /// (a) Weeks of OpenStack logs with quiet hours and days: the default guard (1h) and no guard at all give
    /// the same events, none flagged, none late, with the default idle gap.
    @Test(.enabled(if: hasRealData, "needs ../shared/realdata"))
    func skewGuardOnAndOffAgreeOnRealOpenStackLogs() throws {
        let path = "openstack/live-migration"
        let on = try AuditPipeBinary.run(["correlate", path, "-q"], in: Self.realdata)
        let off = try AuditPipeBinary.run(["correlate", path, "--max-skew", "3650d", "-q"], in: Self.realdata)
        #expect(on.status == 0 && off.status == 0, "\(on.stderr)\(off.stderr)")
        let events = Self.lines(on.stdout)
        #expect(events.count > 1000)
        #expect(events == Self.lines(off.stdout))
        #expect(events.filter { $0.contains("\"clock_skew\"") }.isEmpty)
        #expect(events.filter { $0.contains("\"late\"") }.isEmpty)
    }

    /// (b) Far-future and epoch-0 lines first, in the middle (at random places, fixed seed) and last: every
    /// other event is exactly what the clean dump gives, and each outlier is its own event flagged
    /// `clock_skew`, except an epoch-0 first line, which nothing contradicts (later records only climb).
    @Test func outliersFirstMiddleAndLastChangeNoOtherGrouping() throws {
        let clean = try Self.demo(requests: 2000, seed: 11)
        // Lines as bytes: the dump holds invalid UTF-8 and NUL lines on purpose (they go to the dead letter).
        var lines = [UInt8](clean).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(
            Array.init)
        if lines.last == [] { lines.removeLast() }
        func outlier(_ name: String, _ ts: String) -> [UInt8] {
            Array(#"{"ts":"\#(ts)","service":"clock","request_id":"outlier-\#(name)","msg":"bad clock"}"#.utf8)
        }
        func isJSON(_ line: [UInt8]) -> Bool { line.starts(with: Array(#"{""#.utf8)) }
        var rng = SplitMix64(seed: 5)
        for k in 0..<6 {
            // Between two JSON records, so no stack trace or stray line changes the record it joins.
            var at = Int.random(in: 1..<(lines.count - 1), using: &rng)
            while !(isJSON(lines[at - 1]) && isJSON(lines[at])) { at += 1 }
            lines.insert(outlier("mid-\(k)", k % 2 == 0 ? "2099-06-01T00:00:00Z" : "1970-01-01T00:00:00Z"), at: at)
        }
        let cases: [(String, [[UInt8]])] = [
            ("future-first", [outlier("first", "2099-06-01T00:00:00Z")] + lines),
            ("epoch-first", [outlier("first", "1970-01-01T00:00:01Z")] + lines),
            ("future-last", lines + [outlier("last", "2099-06-01T00:00:00Z")]),
            ("epoch-last", lines + [outlier("last", "1970-01-01T00:00:01Z")]),
        ]
        let tmp = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let cleanURL = tmp.appendingPathComponent("dump.log")
        try clean.write(to: cleanURL)
        let base = try AuditPipeBinary.run(["correlate", cleanURL.path, "-q"])
        #expect(base.status == 0, "\(base.stderr)")
        let expected = Self.lines(base.stdout).map(Self.withoutID).sorted()
        #expect(expected.count > 1500)
        for (name, input) in cases {
            let url = tmp.appendingPathComponent("dump.log")
            try Data(input.joined(separator: [UInt8(ascii: "\n")]) + [UInt8(ascii: "\n")]).write(to: url)
            let r = try AuditPipeBinary.run(["correlate", url.path, "-q"])
            #expect(r.status == 0, "\(r.stderr)")
            let events = Self.lines(r.stdout)
            let outliers = events.filter { $0.contains("\"outlier-") }
            let others = events.filter { !$0.contains("\"outlier-") }.map(Self.withoutID).sorted()
            let missing = Set(expected).subtracting(others)
            let extra = Set(others).subtracting(expected)
            #expect(
                others == expected,
                "\(name): \(missing.count) events changed, e.g. \(Array(missing.prefix(2))) became \(Array(extra.prefix(2)))"
            )
            #expect(outliers.count == 7, "\(name)")
            let flagged = outliers.filter { $0.contains("\"clock_skew\"") }.count
            #expect(flagged == (name == "epoch-first" ? 6 : 7), "\(name): \(outliers)")
        }
    }

    /// (c) A writer that pauses 50 ms–1.5 s between random chunks (cut anywhere, even inside a line) through
    /// `filter --idle 5s` gives byte for byte the events of `correlate` over the same bytes.
    @Test func pacedLiveWriterGivesTheEventsOfABatchRun() throws {
        let dump = try Self.demo(requests: 1500, seed: 3)
        let batch = try AuditPipeBinary.run(["correlate", "-", "-q"], stdin: dump)
        #expect(batch.status == 0, "\(batch.stderr)")

        let live = StreamingTests.Live(unstarted: ["filter", "true", "--idle", "5s", "-q"])
        try live.process.run()
        let reader = ResultBox()
        let readDone = DispatchSemaphore(value: 0)
        let output = live.stdout.fileHandleForReading
        DispatchQueue.global().async {
            reader.data = output.readDataToEndOfFile()
            readDone.signal()
        }
        var rng = SplitMix64(seed: 9)
        let bytes = [UInt8](dump)
        var at = 0
        while at < bytes.count {
            let n = min(bytes.count - at, Int.random(in: 1..<(bytes.count / 12), using: &rng))
            live.stdin.fileHandleForWriting.write(Data(bytes[at..<(at + n)]))
            at += n
            Thread.sleep(forTimeInterval: Double.random(in: 0.05...1.5, using: &rng))
        }
        try live.stdin.fileHandleForWriting.close()
        live.process.waitUntilExit()
        readDone.wait()
        let out = reader.data
        #expect(live.process.terminationStatus == 0)
        #expect(Self.lines(out).count == Self.lines(batch.stdout).count)
        #expect(out == batch.stdout)
    }

    /// (c) A long line written in pieces, each pause shorter than `--idle` but together longer, is no pause:
    /// the request around it stays one event, as in `correlate` of the same bytes (the live input counted
    /// only whole lines as news, went quiet in the middle of the line and closed the request early).
    @Test func aLongLineArrivingInPiecesIsNoPause() throws {
        let first = #"{"ts":"2026-11-21T10:00:00.000Z","service":"gateway","request_id":"r1","msg":"received"}"#
        let long =
            #"{"ts":"2026-11-21T10:00:00.050Z","service":"reports","request_id":"r2","msg":"rows","body":""#
            + String(repeating: "é", count: 150_000) + #""}"#
        let last = #"{"ts":"2026-11-21T10:00:00.100Z","service":"gateway","request_id":"r1","status":200}"#
        let bytes = Array((first + "\n" + long + "\n" + last + "\n").utf8)
        let batch = try AuditPipeBinary.run(["correlate", "-", "-q", "--idle", "1s"], stdin: Data(bytes))
        #expect(batch.status == 0, "\(batch.stderr)")

        let live = StreamingTests.Live(unstarted: ["filter", "true", "--idle", "1s", "-q"])
        try live.process.run()
        let reader = ResultBox()
        let readDone = DispatchSemaphore(value: 0)
        let output = live.stdout.fileHandleForReading
        DispatchQueue.global().async {
            reader.data = output.readDataToEndOfFile()
            readDone.signal()
        }
        // The first line, then the long line in six pieces 0.6 s apart (3.6 s in all), then the last line.
        let start = first.utf8.count + 1
        let end = start + long.utf8.count + 1
        live.stdin.fileHandleForWriting.write(Data(bytes[..<start]))
        let piece = (end - start) / 6 + 1
        var at = start
        while at < end {
            Thread.sleep(forTimeInterval: 0.6)
            let n = min(piece, end - at)
            live.stdin.fileHandleForWriting.write(Data(bytes[at..<(at + n)]))
            at += n
        }
        live.stdin.fileHandleForWriting.write(Data(bytes[end...]))
        try live.stdin.fileHandleForWriting.close()
        live.process.waitUntilExit()
        readDone.wait()
        #expect(live.process.terminationStatus == 0)
        #expect(Self.lines(reader.data).count == 2)
        #expect(reader.data == batch.stdout)
    }

    /// (h) A late fragment that starts at its main event's start has its own id, and both survive an archive
    /// run's de-duplication.
    @Test func lateFragmentWithItsMainEventsStartSurvivesArchiving() throws {
        var lines = [
            #"{"ts":"2026-11-02T10:00:00.000Z","request_id":"main","msg":"first"}"#,
            #"{"ts":"2026-11-02T10:00:01.000Z","request_id":"main","msg":"second"}"#,
        ]
        for s in 0..<30 {
            lines.append(
                #"{"ts":"2026-11-02T10:00:\#(String(format: "%02d", 2 + s)).000Z","request_id":"other-\#(s)"}"#)
        }
        lines.append(#"{"ts":"2026-11-02T10:00:00.000Z","request_id":"main","msg":"straggler"}"#)
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent("in.log"))
        let r = try AuditPipeBinary.run(["correlate", "in.log", "--output-dir", "live", "-q"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let archived = try AuditPipeBinary.run(["archive", "--from", "live", "--to", "archive", "-q"], in: dir)
        #expect(archived.status == 0, "\(archived.stderr)")
        let back = try AuditPipeBinary.run(["query", "archive", "request_id == \"main\""], in: dir)
        let mains = Self.lines(back.stdout)
        #expect(mains.count == 2, "\(back.stderr)")
        #expect(mains.contains { $0.contains("\"late\"") && $0.contains("\"start\":\"2026-11-02T10:00:00.000Z\"") })
        #expect(Set(mains.map { $0.prefix(50) }).count == 2)
    }

    private final class ResultBox: @unchecked Sendable { var data = Data() }
}
