import Foundation
import Testing

@testable import AuditPipe

/// Hostile input: each case runs to the end, loses nothing (accounting holds), and says why a line was
/// rejected. Gzip concatenation is covered by `Fixtures/gzip-multimember`, CSV formula cells by the
/// Codefresh golden (`'=2+5`) and `CSVAndRedactionTests`.
struct HostileInputTests {
    struct Run {
        var status: Int32
        var stderr: String
        var stats: [String: Int]
        var events: [[String: Any]]
        var deadLetters: [[String: Any]]
    }

    /// Writes `files` into a temporary directory and runs `correlate` on them with `flags`.
    static func correlate(_ files: [String: Data], _ flags: [String] = []) throws -> Run {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, data) in files { try data.write(to: dir.appendingPathComponent(name)) }
        let r = try AuditPipeBinary.run(
            ["correlate"] + files.keys.sorted() + flags + [
                "-q", "-o", "events.jsonl", "--dead-letter", "dead.jsonl", "--stats", "stats.json",
            ], in: dir)
        func lines(_ name: String) -> [[String: Any]] {
            let text = (try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }
        let stats = (try? AuditPipeBinary.stats(at: dir.appendingPathComponent("stats.json"))) ?? [:]
        return Run(
            status: r.status, stderr: r.stderr, stats: stats, events: lines("events.jsonl"),
            deadLetters: lines("dead.jsonl"))
    }

    static func line(_ id: String, _ time: String = "2026-11-21T10:00:00Z", _ extra: String = "") -> String {
        #"{"ts":"\#(time)","request_id":"\#(id)","msg":"m"\#(extra)}"# + "\n"
    }

    static func accounted(_ r: Run) -> Bool {
        r.stats["lines_read"] == r.stats["record_lines"]! + r.stats["dead_lettered"]! + r.stats["blank"]!
    }

    /// From a new-user trial: a run of NULs (a torn write, a preallocated file after a crash) in the first
    /// 64 KiB made the whole file "not a log". The runs are dead letters, every other line is read.
    @Test func runsOfNULsInALogAreDeadLetteredNotTheWholeFileRefused() throws {
        var log = Data()
        var holes: [(line: Int, offset: Int)] = []
        for i in 0..<12_000 {
            if i == 100 || i == 6_000 {
                holes.append((i + 1, log.count))
                log += Data(repeating: 0, count: i == 100 ? 24 << 10 : 4 << 10)
            }
            log += Data(
                Self.line("r\(i)", "2026-11-21T10:00:00Z", #","pad":"0123456789012345678901234567890123""#).utf8)
        }
        #expect(log.count > 1_000_000)
        let r = try Self.correlate(["app.log": log])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.accounted(r))
        // A hole joins the line written after it, which is lost with it.
        #expect(r.events.count == 12_000 - 2)
        #expect(r.deadLetters.count == 2)
        for (dead, hole) in zip(r.deadLetters, holes) {
            #expect(dead["source"] as? String == "app.log" && dead["reason"] as? String == "binary")
            #expect(dead["line"] as? Int == hole.line && dead["offset"] as? Int == hole.offset)
        }
        // A file that is (almost) nothing but NULs in its first 64 KiB is still no log.
        let zeros = try Self.correlate(["zeros.log": Data(repeating: 0, count: 70_000) + Data(Self.line("z").utf8)])
        #expect(
            zeros.status == 2
                && zeros.stderr.contains("zeros.log: not a log file: 65536 of its first 65536 bytes are NUL"))
    }

    /// From a new-user trial: times at the ends of what UTC nanoseconds hold (1677-09-21T00:12:43.145224192Z
    /// and 2262-04-11T23:47:16.854775807Z, as RFC 3339 or epoch numbers) overflowed the watermark, a group's
    /// deadline, the late window and an archive day's end, and the run crashed. Every correlation setting
    /// and the archive of those days now run to the end.
    @Test func timesAtTheEndsOfTheRangeRunToTheEnd() throws {
        let times = [
            "1677-09-21T00:12:43.145224192Z", "1677-09-21T00:12:44Z", "2262-04-11T23:47:16.854775807Z",
            "2262-04-11T23:47:16Z", "2026-11-21T10:00:00Z",
        ]
        var log = ""
        for (i, t) in times.enumerated() {
            // Two records per id (the second continues the group), then the id again as a late record.
            log += Self.line("e\(i)", t) + Self.line("e\(i)", t) + Self.line("x\(i)", t)
        }
        log += #"{"ts":-9223372036854775808,"request_id":"n","msg":"m"}"# + "\n"
        // API records with a status at both ends: the outcome's "last response wins" rank reversed the time with
        // `-time`, which trapped at the earliest instant once that instant was read (helper-37).
        for t in ["1677-09-21T00:12:43.145224192Z", "1677-09-21T01:12:43.145224192+01:00", times[2]] {
            log += #"{"time":"\#(t)","request_id":"api","method":"GET","path":"/api/v1/orders/o-1","status":200}"#
            log += "\n"
        }
        log += #"{"ts":9223372036854775807,"request_id":"n","msg":"m"}"# + "\n"
        log += #"{"ts":9223372036854775807,"request_id":"n","msg":"m"}"# + "\n"
        for (i, t) in times.enumerated() { log += Self.line("e\(i)", t) }
        let settings: [[String]] = [
            [], ["--lateness", "0"], ["--idle", "1h", "--max-duration", "1s", "--max-records", "2"],
            ["--include-records", "--max-skew", "1s"], ["--output-format", "csv"],
        ]
        for flags in settings {
            let r = try Self.correlate(["ends.log": Data(log.utf8)], flags)
            #expect(r.status == 0, "\(flags): \(r.stderr)")
            #expect(Self.accounted(r), "\(flags)")
            #expect(r.stats["record_lines"] == 26 && r.stats["events"] ?? 0 >= 12, "\(flags): \(r.stats)")
        }
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(log.utf8).write(to: dir.appendingPathComponent("ends.log"))
        let live = try AuditPipeBinary.run(["correlate", "ends.log", "-q", "--output-dir", "live"], in: dir)
        #expect(live.status == 0, "\(live.stderr)")
        let archive = try AuditPipeBinary.run(
            ["archive", "--from", "live", "--to", "archive", "--archive-retain", "36500d"], in: dir)
        #expect(archive.status == 0, "\(archive.stderr)")
        let query = try AuditPipeBinary.run(["query", "archive", "--all", "--until", "1677-09-21T00:12:44Z"], in: dir)
        #expect(query.status == 0 || query.status == 1, "\(query.stderr)")
    }

    @Test func aTenMegabyteLineIsDeadLetteredAndTheRunGoesOn() throws {
        let big = #"{"request_id":"big","msg":""# + String(repeating: "x", count: 10_000_000) + "\"}\n"
        let r = try Self.correlate(["a.log": Data((Self.line("a") + big + Self.line("b")).utf8)])
        #expect(r.status == 0)
        #expect(r.stats["lines_read"] == 3 && r.stats["dead_lettered"] == 1 && r.stats["events"] == 2)
        #expect(r.deadLetters.first?["reason"] as? String == "line_too_long")
        #expect((r.deadLetters.first?["detail"] as? String)?.hasPrefix("line is 10000029 bytes") == true)
        #expect(Self.accounted(r))
    }

    @Test func hundredThousandDeepNestingHitsTheDepthCap() throws {
        let deep =
            #"{"request_id":"d","a":"# + String(repeating: "[", count: 100_000)
            + String(repeating: "]", count: 100_000) + "}\n"
        let r = try Self.correlate(["a.log": Data((deep + Self.line("ok")).utf8)], ["--max-line-bytes", "300000"])
        #expect(r.status == 0)
        #expect(r.stats["dead_lettered"] == 1 && r.stats["events"] == 1)
        #expect(r.deadLetters.first?["reason"] as? String == "invalid_json")
        #expect((r.deadLetters.first?["detail"] as? String)?.contains("nesting deeper than 64") == true)
    }

    /// From a new-user trial: `--max-json-depth 1000000` let a 100,000-deep line recurse until the worker's stack
    /// ran out (exit 139, no accounting line). The depth is capped at `ParseOptions.maxJSONDepthLimit`: the flag and
    /// the pipeline key refuse more, and a library caller's larger value is taken as the cap.
    @Test func aDepthLimitAboveTheCeilingIsRefusedAndTheCeilingHolds() throws {
        let deep =
            #"{"request_id":"d","a":"# + String(repeating: "[", count: 100_000)
            + String(repeating: "]", count: 100_000) + "}\n"
        let files = ["a.log": Data((deep + Self.line("ok")).utf8)]
        let refused = try Self.correlate(files, ["--max-line-bytes", "300000", "--max-json-depth", "1000000"])
        #expect(refused.status == 1 && refused.stderr.contains("--max-json-depth must be at most 1024"))
        let r = try Self.correlate(files, ["--max-line-bytes", "300000", "--max-json-depth", "1024"])
        #expect(r.status == 0)
        #expect(r.stats["dead_lettered"] == 1 && r.stats["events"] == 1)
        #expect((r.deadLetters.first?["detail"] as? String)?.contains("nesting deeper than 1024") == true)
        #expect(Self.accounted(r))
        var options = ParseOptions()
        options.maxJSONDepth = 1_000_000
        #expect(options.maxJSONDepth == ParseOptions.maxJSONDepthLimit)
    }

    /// From a new-user trial: `-` named twice gave two readers of one stream, each taking some of its lines (the
    /// counts differed run to run). Refused up front.
    @Test func standardInputNamedTwiceIsRefused() throws {
        for command in [["correlate"], ["filter", "--records", "true"], ["filter", "true"]] {
            let r = try AuditPipeBinary.run(command + ["-", "-"], stdin: Data(Self.line("a").utf8))
            #expect(r.status == 1 && r.stderr.contains("standard input (-) is named more than once"), "\(command)")
        }
    }

    /// A file reached twice — named twice, named beside its directory, or through a link — is read once: read
    /// twice, each of its records went into its group twice (a new-user trial: "2× lines read … from 1 input").
    @Test func aFileReachedTwiceIsReadOnce() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let logs = dir.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let text = Self.line("a") + Self.line("a", "2026-11-21T10:00:00.100Z") + Self.line("b")
        try Data(text.utf8).write(to: logs.appendingPathComponent("a.log"))
        try FileManager.default.createSymbolicLink(
            atPath: dir.appendingPathComponent("link.log").path, withDestinationPath: "logs/a.log")
        let once = try AuditPipeBinary.run(["correlate", "logs/a.log", "-o", "once.jsonl"], in: dir)
        #expect(once.status == 0)
        let onceEvents = try Data(contentsOf: dir.appendingPathComponent("once.jsonl"))
        for (name, args) in [
            ("twice", ["logs/a.log", "logs/a.log"]), ("directory", ["logs", "logs/a.log"]),
            ("link", ["logs/a.log", "link.log"]), ("glob", ["logs/*.log", "logs/a.log"]),
        ] {
            let r = try AuditPipeBinary.run(["correlate"] + args + ["-o", "\(name).jsonl"], in: dir)
            #expect(r.status == 0, "\(name)")
            #expect(r.stderr.contains("3 lines read = 3 in 3 records"), "\(name): \(r.stderr)")
            #expect(r.stderr.contains("it is read once") || r.stderr.contains("is not read again"), "\(name)")
            #expect(try Data(contentsOf: dir.appendingPathComponent("\(name).jsonl")) == onceEvents, "\(name)")
        }
    }

    /// A directory of links to log files (Kubernetes' `/var/log/containers`) is read through its links; a link to
    /// a directory is not walked, a dangling one is passed over, and a link beside its target is read once.
    @Test func linksToFilesInANamedDirectoryAreRead() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        for d in ["pods/a", "pods/b", "containers"] {
            try fm.createDirectory(at: dir.appendingPathComponent(d), withIntermediateDirectories: true)
        }
        try Data(Self.line("a").utf8).write(to: dir.appendingPathComponent("pods/a/0.log"))
        try Data(Self.line("b").utf8).write(to: dir.appendingPathComponent("pods/b/0.log"))
        let links = [
            ("containers/a.log", "../pods/a/0.log"), ("containers/b.log", "../pods/b/0.log"),
            ("containers/again.log", "../pods/a/0.log"), ("containers/gone.log", "../pods/c/0.log"),
            ("containers/loop", "../containers"),
        ]
        for (at, to) in links {
            try fm.createSymbolicLink(atPath: dir.appendingPathComponent(at).path, withDestinationPath: to)
        }
        let r = try AuditPipeBinary.run(["correlate", "containers", "-o", "/dev/null"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("2 lines read = 2 in 2 records"), "\(r.stderr)")
        #expect(r.stderr.contains("containers/again.log: the same file as containers/a.log"), "\(r.stderr)")
    }

    /// Standard input is the file redirected into it: that file named too is read once (a re-check trial:
    /// `correlate - a.log < a.log` read it twice).
    @Test func standardInputAndTheFileOnItAreReadOnce() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("a.log")
        try Data((Self.line("a") + Self.line("b")).utf8).write(to: file)
        for args in [["-", "a.log"], ["a.log", "-"]] {
            let r = try AuditPipeBinary.run(["correlate"] + args + ["-o", "/dev/null"], in: dir, stdinFile: file)
            #expect(r.status == 0, "\(args)")
            #expect(r.stderr.contains("2 lines read = 2 in 2 records"), "\(args): \(r.stderr)")
            #expect(r.stderr.contains("not read again"), "\(args)")
        }
    }

    /// A pipe named by its path (a FIFO) is read once, from its start to its end: the first pass that looks for
    /// yearless times opened it too, and what that pass read (whole 64 KiB blocks) was lost, with exit 0.
    @Test func aFIFONamedByPathLosesNoLine() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let count = 20_000
        let pad = #","pad":"xxxxxxxxxxxxxxxxxxxx""#
        let text = (0..<count).map { Self.line("r\($0 % 500)", "2026-11-21T10:00:00Z", pad) }
        try Data(text.joined().utf8).write(to: dir.appendingPathComponent("src.log"))
        let fifo = dir.appendingPathComponent("pipe.log").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/bin/sh")
        writer.arguments = ["-c", "cat src.log > pipe.log"]
        writer.currentDirectoryURL = dir
        try writer.run()
        let r = try AuditPipeBinary.run(["correlate", "pipe.log", "-o", "/dev/null"], in: dir)
        writer.waitUntilExit()
        #expect(r.status == 0)
        #expect(r.stderr.contains("\(count) lines read = \(count) in \(count) records"), "\(r.stderr)")
    }

    @Test func nulInvalidUTF8BOMCRLFAndLoneCR() throws {
        var data = Data([0xEF, 0xBB, 0xBF]) + Data(Self.line("bom").utf8)
        data += Data(Self.line("crlf").dropLast().utf8) + Data("\r\n".utf8)
        data += Data(#"{"request_id":"nul","msg":"a"#.utf8) + Data([0]) + Data("b\"}\n".utf8)
        data += Data(#"{"request_id":"utf8","msg":""#.utf8) + Data([0xC3, 0x28]) + Data("\"}\n".utf8)
        data += Data(#"{"request_id":"cr","msg":"a"#.utf8) + Data([13]) + Data("b\"}\n".utf8)
        let r = try Self.correlate(["a.log": data])
        #expect(r.status == 0)
        #expect(Set(r.events.compactMap { $0["request_id"] as? String }) == ["bom", "crlf"])
        #expect(r.deadLetters.map { $0["reason"] as? String } == ["binary", "invalid_utf8", "binary"])
        #expect(
            r.deadLetters.map { $0["detail"] as? String } == [
                "control byte 0x0 at column 29", "invalid UTF-8 at column 29",
                "lone carriage return (CR without LF) at column 28: lines end with LF or CRLF",
            ])
        // Not UTF-8 (or holding NUL): the raw line is kept as base64, so nothing is lost.
        #expect(r.deadLetters[1]["raw_base64"] != nil)
        #expect(Self.accounted(r) && r.stats["lines_read"] == 5)
    }

    @Test func aTruncatedGzipMemberNamesTheFileAndOffsetAndKeepsTheLinesBefore() throws {
        let text = (0..<2000).map { Self.line("t\($0)") }.joined()
        let gz = try Self.gzip(Data(text.utf8))
        let r = try Self.correlate(["cut.log.gz": gz.prefix(gz.count - 40)])
        #expect(r.status == 2)
        #expect(
            r.stderr.contains("cut.log.gz: truncated gzip member: the file ends at compressed byte \(gz.count - 40)"))
        #expect(r.stats["events"]! > 1900 && r.stats["input_errors"] == 1)
        #expect(Self.accounted(r))
    }

    /// A gzip error keeps every line inflated before it: also within the first 64 KiB (the binary sniff had read
    /// them and dropped them with the error: a member followed by a stray magic number gave 0 lines) and in the
    /// read that failed (its lines were taken as one partial line, dead-lettered). From a new-user trial.
    @Test func aGzipErrorKeepsEveryLineBeforeIt() throws {
        let small = Data((0..<50).map { Self.line("s\($0)") }.joined().utf8)
        let big = Data((0..<3000).map { Self.line("b\($0)") }.joined().utf8)
        func badTrailerCRC(_ text: Data) throws -> Data {
            var gz = try Self.gzip(text)
            gz[gz.count - 8] ^= 0xFF
            return gz
        }
        let cases: [(String, Data, Int)] = [
            ("stray-magic.log.gz", try Self.gzip(small) + Data([0x1F, 0x8B]), 50),
            ("small-crc.log.gz", try badTrailerCRC(small), 50),
            ("big-crc.log.gz", try badTrailerCRC(big), 3000),
            ("second-member-cut.log.gz", try Self.gzip(big) + Self.gzip(small).prefix(30), 3000),
        ]
        for (name, gz, lines) in cases {
            let r = try Self.correlate([name: gz])
            let inflated = name.hasPrefix("big") || name.hasPrefix("second") ? big.count : small.count
            #expect(r.stats["bytes_read"] == inflated, "\(name): \(r.stats)")
            #expect(r.status == 2 && r.stats["input_errors"] == 1, "\(name): \(r.stderr)")
            #expect(r.stats["lines_read"] == lines && r.stats["records"] == lines, "\(name): \(r.stats)")
            #expect(r.stats["dead_lettered"] == 0 && Self.accounted(r), "\(name): \(r.stats)")
        }
    }

    @Test func aGzipBombIsStoppedAtTheRatioCap() throws {
        let bomb = try Self.gzip(Data(Self.line("before").utf8)) + Self.gzip(Data(count: 300 << 20))
        // Inflated, it is no log: refused at its first 64 KiB.
        let refused = try Self.correlate(["bomb.gz": bomb])
        #expect(refused.status == 2 && refused.stderr.contains("bomb.gz: not a log file"))
        // Read line by line anyway, the ratio cap stops it.
        let r = try Self.correlate(["bomb.gz": bomb], ["--max-dead-letters", "100"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("bomb.gz: gzip bomb: 64 MiB inflated from"))
        #expect(r.events.map { $0["request_id"] as? String } == ["before"])
        #expect(r.stats["bytes_read"]! < 80 << 20)
    }

    @Test func anEmptyFileIsAnEmptyRun() throws {
        let r = try Self.correlate(["empty.log": Data()])
        #expect(r.status == 0 && r.stats["lines_read"] == 0 && r.stats["events"] == 0 && r.events.isEmpty)
    }

    @Test func aFileDeletedWhileReadIsReadToItsEnd() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let n = 150_000
        let text = (0..<n).map { Self.line("v\($0 % 5000)") }.joined()
        let file = dir.appendingPathComponent("vanishing.log")
        try Data(text.utf8).write(to: file)
        let p = Process()
        p.executableURL = AuditPipeBinary.url
        p.arguments = [file.path, "-q", "-o", "/dev/null", "--stats", dir.appendingPathComponent("s.json").path]
        p.arguments = ["correlate"] + p.arguments!
        try p.run()
        // Deleted once the run has it open (however loaded the machine), and while it is still reading.
        let fds = "/proc/\(p.processIdentifier)/fd"
        for _ in 0..<500 {
            let open = ((try? FileManager.default.contentsOfDirectory(atPath: fds)) ?? []).contains {
                (try? FileManager.default.destinationOfSymbolicLink(atPath: fds + "/" + $0)) == file.path
            }
            if open { break }
            usleep(10_000)
        }
        try FileManager.default.removeItem(at: file)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let stats = try AuditPipeBinary.stats(at: dir.appendingPathComponent("s.json"))
        #expect(stats["lines_read"] == n)
    }

    @Test func clocksFrom1970To2099AndMixedZones() throws {
        var text = Self.line("old", "1970-01-01T00:00:01Z") + Self.line("future-first", "2099-12-31T23:59:59Z")
        // One request logged by services in three zones: the same instant plus 10 ms steps.
        text += Self.line("zones", "2026-11-21T15:30:00.000+05:30")
        text += Self.line("zones", "2026-11-21T02:00:00.010-08:00")
        text += Self.line("zones", "2026-11-21T10:00:00.020Z")
        let r = try Self.correlate(["a.log": Data(text.utf8)], ["--max-skew", "1h"])
        #expect(r.status == 0)
        let zones = r.events.first { $0["request_id"] as? String == "zones" }
        #expect(zones?["start"] as? String == "2026-11-21T10:00:00.000Z")
        #expect(zones?["end"] as? String == "2026-11-21T10:00:00.020Z")
        #expect(zones?["records"] as? Int == 3)
        let old = r.events.first { $0["request_id"] as? String == "old" }
        #expect(old?["start"] as? String == "1970-01-01T00:00:01.000Z")
    }

    @Test func aSingleFarFutureLineDoesNotCloseOpenGroups() throws {
        var text = ""
        for i in 0..<100 { text += Self.line("g\(i)", "2026-11-21T10:00:00Z") }
        text += Self.line("skewed", "2099-01-01T00:00:00Z")
        for i in 0..<100 { text += Self.line("g\(i)", "2026-11-21T10:00:01Z") }
        let r = try Self.correlate(["a.log": Data(text.utf8)])
        #expect(r.status == 0)
        // Every g-request stays one event of 2 records (the 2099 line moved no watermark).
        #expect(r.stats["events"] == 101)
        let groups = r.events.filter { ($0["request_id"] as? String)?.hasPrefix("g") == true }
        #expect(groups.count == 100 && groups.allSatisfy { $0["records"] as? Int == 2 })
        let skewed = r.events.first { $0["request_id"] as? String == "skewed" }
        #expect(skewed?["flags"] as? [String] == ["clock_skew"])
    }

    @Test func aMegabyteRequestIDIsCappedAndStaysDistinct() throws {
        let prefix = String(repeating: "a", count: 999_000)
        let text = Self.line(prefix + "1") + Self.line(prefix + "2") + Self.line(prefix + "1")
        let r = try Self.correlate(["a.log": Data(text.utf8)])
        #expect(r.status == 0 && r.stats["events"] == 2)
        let ids = r.events.compactMap { $0["request_id"] as? String }
        #expect(ids.count == 2 && Set(ids).count == 2)
        #expect(ids.allSatisfy { $0.utf8.count == 217 && $0.hasPrefix(String(repeating: "a", count: 200) + "~") })
    }

    @Test func idsDifferingByCaseAreDistinctAndSurroundingSpaceIsTrimmed() throws {
        let text = Self.line("ABC") + Self.line("abc") + Self.line(" abc ") + Self.line("\\tabc")
        let r = try Self.correlate(["a.log": Data(text.utf8)])
        let byID = Dictionary(grouping: r.events, by: { $0["request_id"] as? String ?? "" })
        #expect(byID.keys.sorted() == ["ABC", "abc"])
        #expect(byID["abc"]?.first?["records"] as? Int == 3)
    }

    @Test func distinctIDsPastTheOpenGroupCapAreClosedEarlyFlaggedPartial() throws {
        let text = (0..<100_000).map { Self.line("u\($0)") }.joined()
        let r = try Self.correlate(["a.log": Data(text.utf8)], ["--max-open-groups", "1000"])
        #expect(r.status == 0)
        #expect(r.stats["events"] == 100_000 && r.stats["partial"] == 99_000)
    }

    @Test func aRequestIDOrServiceThatLooksLikeAPathStaysInsideTheOutputDirectory() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        try """
        inputs: ["-"]
        outputs:
          - type: jsonl
            path: ${OUT}/{service}/{request_id}.jsonl
        """.write(to: dir.appendingPathComponent("p.yaml"), atomically: true, encoding: .utf8)
        let input =
            #"{"ts":"2026-11-21T10:00:00Z","request_id":"../../../x","service":"../../etc/cron.d","msg":"m"}"# + "\n"
        let r = try AuditPipeBinary.run(
            ["run", "p.yaml", "-q"], in: dir, stdin: Data(input.utf8), environment: ["OUT": out.path])
        #expect(r.status == 0, "\(r.stderr)")
        let made = FileManager.default.enumerator(atPath: dir.path)!.allObjects as! [String]
        #expect(made.sorted() == ["out", "out/_._.._etc_cron.d", "out/_._.._etc_cron.d/_._.._.._x.jsonl", "p.yaml"])
    }

    @Test func aSymbolicLinkInsideTheOutputRootIsNotFollowedOutOfIt() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        let outside = dir.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        // Someone planted out/orders -> ../outside; the service value "orders" would lead the write there.
        try FileManager.default.createSymbolicLink(
            atPath: out.appendingPathComponent("orders").path, withDestinationPath: outside.path)
        try """
        inputs: ["-"]
        outputs:
          - type: jsonl
            path: ${OUT}/{service}/{request_id}.jsonl
        """.write(to: dir.appendingPathComponent("p.yaml"), atomically: true, encoding: .utf8)
        let input = #"{"ts":"2026-11-21T10:00:00Z","request_id":"r1","service":"orders","msg":"m"}"# + "\n"
        let r = try AuditPipeBinary.run(
            ["run", "p.yaml", "-q"], in: dir, stdin: Data(input.utf8), environment: ["OUT": out.path])
        #expect(r.status == 3)
        #expect(r.stderr.contains("'orders' is a symbolic link"), "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty)

        // A live day file planted as a link is refused too.
        let live = dir.appendingPathComponent("live")
        try FileManager.default.createDirectory(at: live, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: live.appendingPathComponent("events-2026-11-21.jsonl").path,
            withDestinationPath: outside.appendingPathComponent("stolen.jsonl").path)
        let l = try AuditPipeBinary.run(
            ["correlate", "-", "--output-dir", live.path, "-q"], in: dir, stdin: Data(input.utf8))
        #expect(l.status == 3)
        #expect(l.stderr.contains("symbolic link"), "\(l.stderr)")
        #expect(!FileManager.default.fileExists(atPath: outside.appendingPathComponent("stolen.jsonl").path))
    }

    @Test func secretsAreRedactedInTheDeadLetterToo() throws {
        let bad = #"{"request_id":"s","password":"hunter2","headers":{"Authorization":"Bearer abc.def.ghi"}"# + "\n"
        let text = "curl -H 'Authorization: Bearer abc.def.ghi' token=s3cr3t \u{0}\n" + bad
        let r = try Self.correlate(["a.log": Data(text.utf8)])
        #expect(r.stats["dead_lettered"] == 2)
        let raw = r.deadLetters.map {
            ($0["raw"] as? String)
                ?? (($0["raw_base64"] as? String).flatMap { Data(base64Encoded: $0) }.map {
                    String(decoding: $0, as: UTF8.self)
                } ?? "")
        }
        #expect(raw.count == 2)
        for text in raw {
            #expect(!text.contains("hunter2") && !text.contains("abc.def.ghi") && !text.contains("s3cr3t"), "\(text)")
        }
    }

    static func gzip(_ data: Data) throws -> Data {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let raw = dir.appendingPathComponent("x")
        try data.write(to: raw)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-n", "-f", raw.path]
        try p.run()
        p.waitUntilExit()
        return try Data(contentsOf: dir.appendingPathComponent("x.gz"))
    }
}
