import Foundation
import Testing

/// Archival runs end to end: events -> live files by day -> archive -> verify / query, tampering caught
/// with the right reason, and runs killed at every durable step finished by the next run.
struct ArchiveTests {
    /// Log lines for `days` days (2026-11-01 on), `perDay` single-record requests each, some exports.
    static func logs(days: ClosedRange<Int>, perDay: Int, seed: Int = 0) -> String {
        var out = ""
        for d in days {
            for i in 0..<perDay {
                let ts = String(
                    format: "2026-11-%02dT%02d:%02d:%02d.%03dZ", d, (i / 60) % 24, i % 60, (i * 7) % 60, i % 1000)
                let status = [200, 200, 403, 500][(i + seed) % 4]
                let user = ["alice", "bob", "carol"][(i + d) % 3]
                out +=
                    #"{"ts":"\#(ts)","service":"api-gateway","request_id":"d\#(d)-r\#(i)-s\#(seed)","method":"GET","path":"/api/v1/reports/r\#(i)/export","query":"format=csv","status":\#(status),"user":"\#(user)"}"#
                out += "\n"
            }
        }
        return out
    }

    /// Runs `auditpipe` in `dir` with `env` added; returns status and stderr.
    @discardableResult
    static func run(_ args: [String], in dir: URL, env: [String: String] = [:]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = AuditPipeBinary.url
        p.arguments = args
        p.currentDirectoryURL = dir
        var e = ProcessInfo.processInfo.environment
        e["SWIFT_BACKTRACE"] = "enable=no"
        for (k, v) in env { e[k] = v }
        p.environment = e
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }

    @discardableResult
    static func shell(_ script: String, in dir: URL) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", script]
        p.currentDirectoryURL = dir
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }

    static func lines(_ url: URL) -> [String] {
        ((try? String(contentsOf: url, encoding: .utf8)) ?? "").split(whereSeparator: \.isNewline).map(String.init)
    }

    /// Correlates generated logs into `live/`; returns every event line written.
    static func makeLive(_ dir: URL, days: ClosedRange<Int>, perDay: Int, seed: Int = 0) throws -> [String] {
        let logFile = dir.appendingPathComponent("logs-\(seed).jsonl")
        try logs(days: days, perDay: perDay, seed: seed).write(to: logFile, atomically: true, encoding: .utf8)
        let scratch = dir.appendingPathComponent("scratch-\(seed)")
        try run(["correlate", logFile.path, "--output-dir", scratch.path, "-q"], in: dir)
        try run(["correlate", logFile.path, "--output-dir", "live", "-q"], in: dir)
        return FileManager.default.enumerator(atPath: scratch.path)!.compactMap { $0 as? String }
            .flatMap { lines(scratch.appendingPathComponent($0)) }
    }

    @Test func roundTripGivesBackTheSameEventsByteForByte() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let events = try Self.makeLive(dir, days: 1...4, perDay: 150)
        #expect(events.count == 600)
        let (status, err) = try Self.run(["archive", "--from", "live", "--to", "archive"], in: dir)
        #expect(status == 0, "\(err)")
        #expect(try Self.run(["verify", "archive"], in: dir).0 == 0)
        #expect(try Self.run(["query", "archive", "--all", "-o", "back.jsonl"], in: dir).0 == 0)
        #expect(Self.lines(dir.appendingPathComponent("back.jsonl")).sorted() == events.sorted())
        // Live files were deleted once archived; gzip and zcat accept every archive file.
        #expect(Self.lines(dir.appendingPathComponent("live/events-2026-11-01.jsonl")).isEmpty)
        let (gz, out) = try Self.shell(
            "for f in archive/*/*/??/*.gz; do gzip -t \"$f\" || exit 1; done; zcat archive/*/*/??/*.gz | wc -l", in: dir
        )
        #expect(gz == 0)
        #expect(out.trimmingCharacters(in: .whitespacesAndNewlines) == "600")
        // A filtered, ranged query reads only its days.
        let (q, qerr) = try Self.run(
            [
                "query", "archive", #"user == "alice" and status == 5xx"#, "--since", "2026-11-02", "--until",
                "2026-11-03", "-o", "q.jsonl",
            ],
            in: dir)
        #expect(q == 0)
        #expect(qerr.contains("events matched in 1 day\n"))
        #expect(
            Self.lines(dir.appendingPathComponent("q.jsonl")).allSatisfy {
                $0.contains(#""user":"alice""#) && $0.contains(#""status":500"#)
            })
        #expect(try Self.run(["query", "archive"], in: dir).0 == 1)  // unfiltered needs --all
    }

    @Test(arguments: [
        (
            "flip a byte",
            "printf '\\x00' | dd of=archive/2026/11/02/events-2026-11-02.jsonl.gz bs=1 seek=40 conv=notrunc status=none",
            "archive/2026/11/02/events-2026-11-02.jsonl.gz: edited: the SHA-256 of the gzip file does not match the manifest, and it does not inflate"
        ),
        ("truncate", "truncate -s -10 archive/2026/11/02/events-2026-11-02.jsonl.gz", "truncated"),
        (
            "delete a day", "rm -r archive/2026/11/02",
            "chain broken: previous_manifest_sha256 does not match the manifest of 2026-11-01"
        ),
        (
            "swap two days",
            "mv archive/2026/11/02 archive/2026/11/xx && mv archive/2026/11/03 archive/2026/11/02 && mv archive/2026/11/xx archive/2026/11/03",
            "reordered: the manifest is for 2026-11-03 but lies under 2026-11-02"
        ),
        (
            "edit a manifest", "sed -i 's/\"events\":100/\"events\":101/' archive/2026/11/02/manifest.json",
            "archive/2026/11/02/manifest.json: edited: events is 101 but events-2026-11-02.jsonl.gz holds 100"
        ),
        (
            "edit a chained manifest field",
            "sed -i 's/auditpipe [0-9][0-9.]*/auditpipe 9.9.9/' archive/2026/11/02/manifest.json",
            "chain broken: previous_manifest_sha256 does not match the manifest of 2026-11-02"
        ),
        ("add a stray file", "touch archive/2026/11/02/extra.jsonl", "extra file in the archive day 2026-11-02"),
    ])
    func verifyNamesTheTampering(what: String, script: String, expected: String) throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try Self.makeLive(dir, days: 1...3, perDay: 100)
        #expect(try Self.run(["archive", "--from", "live", "--to", "archive", "-q"], in: dir).0 == 0)
        #expect(try Self.run(["verify", "archive"], in: dir).0 == 0)
        #expect(try Self.shell(script, in: dir).0 == 0)
        let (status, err) = try Self.run(["verify", "archive"], in: dir)
        #expect(status == 4, "\(what)")
        #expect(err.contains(expected), "\(what): \(err)")
    }

    @Test func runsKilledAtEveryStepAreFinishedByTheNext() throws {
        let base = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: base) }
        // Day 1–3 archived already; then live files for days 2–5 (late events and duplicates for 2–3).
        let first = try Self.makeLive(base, days: 1...3, perDay: 40, seed: 0)
        #expect(try Self.run(["archive", "--from", "live", "--to", "archive", "-q"], in: base).0 == 0)
        let second = try Self.makeLive(base, days: 2...5, perDay: 40, seed: 1)
        let duplicate = Array(Self.lines(base.appendingPathComponent("scratch-0/events-2026-11-02.jsonl")).prefix(5))
        try (duplicate.joined(separator: "\n") + "\n").appendingTo(
            base.appendingPathComponent("live/events-2026-11-02.jsonl"))
        let expected = Set(first + second)
        var crashes = 0
        for point in 1...30 {
            let dir = base.appendingPathComponent("crash-\(point)")
            #expect(try Self.shell("mkdir '\(dir.path)' && cp -r live archive '\(dir.path)/'", in: base).0 == 0)
            let (status, _) = try Self.run(
                ["archive", "--from", "live", "--to", "archive", "--archive-retain", "20000d", "-q"], in: dir,
                env: ["AUDITPIPE_CRASH_AT": "\(point)"])
            if status != 0 { crashes += 1 }
            let (rerun, err) = try Self.run(["archive", "--from", "live", "--to", "archive", "-q"], in: dir)
            #expect(rerun == 0, "point \(point): \(err)")
            let (verify, verr) = try Self.run(["verify", "archive"], in: dir)
            #expect(verify == 0, "point \(point): \(verr)")
            #expect(try Self.run(["query", "archive", "--all", "-o", "back.jsonl", "-q"], in: dir).0 == 0)
            let back = Self.lines(dir.appendingPathComponent("back.jsonl"))
            #expect(back.count == expected.count && Set(back) == expected, "point \(point): \(back.count) events")
        }
        #expect(crashes >= 20)
    }

    @Test func pruningKeepsTheChainVerifiable() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try Self.makeLive(dir, days: 1...4, perDay: 20)
        #expect(try Self.run(["archive", "--from", "live", "--to", "archive", "-q"], in: dir).0 == 0)
        // Prune the days that ended more than (now - 2026-11-03) ago: 2026-11-01 and 2026-11-02.
        let now = Date().timeIntervalSince1970
        let cutoff = ISO8601DateFormatter().date(from: "2026-11-03T00:00:00Z")!.timeIntervalSince1970
        let keep = Int((now - cutoff) / 3600) - 1
        let (status, err) = try Self.run(
            ["archive", "--from", "live", "--to", "archive", "--archive-retain", "\(keep)h"], in: dir)
        #expect(status == 0)
        #expect(err.contains("2 days pruned"), "\(err)")
        let (verify, verr) = try Self.run(["verify", "archive"], in: dir)
        #expect(verify == 0, "\(verr)")
        #expect(verr.contains("verified 2 days, 40 events, chain intact (2 pruned days recorded)"))

        // A pruned record that is not valid (here cut short) is refused by verify and by the next run, which
        // read it as "nothing pruned" before and rewrote it with only the day it pruned then (helper-37).
        try Self.shell("cp archive/pruned.json saved && truncate -s -3 archive/pruned.json", in: dir)
        let damaged = try Self.shell("md5sum < archive/pruned.json", in: dir).1
        let expected = "archive/pruned.json: edited: not a valid pruned record: not JSON: "
        let (v2, v2err) = try Self.run(["verify", "archive"], in: dir)
        #expect(v2 == 4 && v2err.contains(expected), "\(v2err)")
        let (again, againErr) = try Self.run(
            ["archive", "--from", "live", "--to", "archive", "--archive-retain", "\(keep - 48)h"], in: dir)
        #expect(again == 4 && againErr.contains(expected), "\(againErr)")
        #expect(try Self.shell("md5sum < archive/pruned.json", in: dir).1 == damaged)
        #expect(FileManager.default.fileExists(atPath: dir.path + "/archive/2026/11/03/manifest.json"))
    }
}

struct XLSXExportTests {
    static let office = ["/usr/bin/libreoffice", "/usr/bin/soffice", "/usr/local/bin/libreoffice"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    @Test(
        .enabled(
            if: office != nil, "LibreOffice is not installed (apt-get install libreoffice-calc-nogui; .ci/run does)"))
    func xlsxConvertsWithLibreOfficeToTheCSVExportsRows() throws {
        let office = try #require(Self.office)
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try ArchiveTests.makeLive(dir, days: 1...2, perDay: 60)
        #expect(try ArchiveTests.run(["archive", "--from", "live", "--to", "archive", "-q"], in: dir).0 == 0)
        let cols =
            "event_id,request_id,start,end,duration_ms,actor.user,action,entity.id,outcome.status,services,records"
        let query = ["query", "archive", #"status != 200"#, "--columns", cols, "-q"]
        #expect(try ArchiveTests.run(query + ["--output-format", "csv", "-o", "q.csv"], in: dir).0 == 0)
        #expect(try ArchiveTests.run(query + ["--output-format", "xlsx", "-o", "q.xlsx"], in: dir).0 == 0)
        let (status, out) = try ArchiveTests.shell(
            "HOME='\(dir.path)' '\(office)' --headless --convert-to csv --outdir lo q.xlsx", in: dir)
        #expect(status == 0, "\(out)")
        let converted = ArchiveTests.lines(dir.appendingPathComponent("lo/q.csv"))
        // Date cells show as `yyyy-mm-dd hh:mm:ss.000` (UTC); the CSV writes RFC 3339.
        let csv = ArchiveTests.lines(dir.appendingPathComponent("q.csv")).map { line in
            line.replacing(/(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2}\.\d{3})Z/) { "\($0.1) \($0.2)" }
        }
        #expect(csv.count == 61)  // header + the 60 requests whose status is not 200
        #expect(converted == csv)
    }

    /// Rendered as LibreOffice prints it, the export shows its dates and ids whole (columns sized to their
    /// content, never `###`), under a frozen header row with an autofilter.
    @Test(
        .enabled(
            if: office != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/pdftotext"),
            "LibreOffice and pdftotext are not installed (.ci/run installs both)"))
    func xlsxOpensReadable() throws {
        let office = try #require(Self.office)
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try ArchiveTests.makeLive(dir, days: 1...1, perDay: 20)
        #expect(try ArchiveTests.run(["archive", "--from", "live", "--to", "archive", "-q"], in: dir).0 == 0)
        let cols = "start,event_id,request_id,actor.user,action,entity.id,outcome.status"
        let query = ["query", "archive", "--all", "--columns", cols, "-q"]
        #expect(try ArchiveTests.run(query + ["--output-format", "xlsx", "-o", "q.xlsx"], in: dir).0 == 0)
        #expect(try ArchiveTests.run(query + ["--output-format", "csv", "-o", "q.csv"], in: dir).0 == 0)
        let (status, out) = try ArchiveTests.shell(
            "HOME='\(dir.path)' '\(office)' --headless --convert-to pdf --outdir lo q.xlsx && pdftotext -layout lo/q.pdf lo/q.txt",
            in: dir)
        #expect(status == 0, "\(out)")
        let text = try String(contentsOf: dir.appendingPathComponent("lo/q.txt"), encoding: .utf8)
        #expect(!text.contains("###"), "\(text.prefix(2000))")
        // The first data row, as the CSV export has it: its date as displayed, its id and request id whole.
        let first = ArchiveTests.lines(dir.appendingPathComponent("q.csv"))[1].split(separator: ",").map(String.init)
        let date = first[0].replacing(/(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2}\.\d{3})Z/) { "\($0.1) \($0.2)" }
        for cell in [date, first[1], first[2]] {
            #expect(text.contains(cell), "\(cell) not shown:\n\(text.prefix(2000))")
        }
        let (_, sheet) = try ArchiveTests.shell(
            "python3 -c 'import zipfile; print(zipfile.ZipFile(\"q.xlsx\").read(\"xl/worksheets/sheet1.xml\").decode())'",
            in: dir)
        #expect(sheet.contains(#"state="frozen""#) && sheet.contains("<autoFilter ref=\"A1:G21\"/>"))
    }
}

extension String {
    /// Appends the string to a file.
    func appendingTo(_ url: URL) throws {
        let h = try FileHandle(forWritingTo: url)
        try h.seekToEnd()
        h.write(Data(utf8))
        try h.close()
    }
}
