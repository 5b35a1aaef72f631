import AuditPipe
import Foundation
import Testing

/// A newcomer's first hour: the version, a file that is no log, a directory that cannot be read or is empty.
struct FirstHourTests {
    /// A query of an archive directory that is not there is an input error, not an empty export.
    @Test func aQueryOfAMissingArchiveFails() throws {
        let r = try AuditPipeBinary.run(["query", "/nonexistent-archive-\(UUID().uuidString)", "--all"])
        #expect(r.status == 2 && r.stderr.contains("no such archive directory"))
    }

    /// An id pattern that can match an empty id is refused (it would make every id the same).
    @Test func anIDPatternThatMatchesNothingIsRefused() throws {
        for pattern in ["x*", "(\\d*)", "a|", "(?=a)", "\\b", "^(?=req-)"] {
            let r = try AuditPipeBinary.run(["correlate", "-", "--id-pattern", pattern], stdin: Data())
            #expect(r.status == 1 && r.stderr.contains("can match an empty id"), "\(pattern): \(r.stderr)")
        }
        let ok = try AuditPipeBinary.run(["correlate", "-", "--id-pattern", "[0-9a-f-]{36}", "-q"], stdin: Data())
        #expect(ok.status == 0)
    }

    @Test func versionIsPrinted() throws {
        let r = try AuditPipeBinary.run(["--version"])
        #expect(r.status == 0)
        let printed = String(decoding: r.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(printed.split(separator: ".").count == 3 && printed.allSatisfy { $0.isNumber || $0 == "." })
    }

    /// The binary's malloc is mimalloc's (Package.swift links it into the executables): asked to, mimalloc says
    /// it started. Fails when the link is dropped (a linker that keeps only libraries whose symbols are used).
    @Test(.enabled(if: isLinux)) func theBinaryAllocatesWithMimalloc() throws {
        let r = try AuditPipeBinary.run(["--version"], environment: ["MIMALLOC_VERBOSE": "1"])
        #expect(r.status == 0)
        #expect(r.stderr.contains("mimalloc: process init"), "\(r.stderr)")
    }

    /// An executable and an image are refused with exit 2, naming them; the logs beside them are read.
    @Test func aFileThatIsNoLogIsRefused() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(atPath: "/bin/ls", toPath: dir.appendingPathComponent("ls").path)
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var rng = SplitMix64(seed: 3)
        png += Data((0..<20_000).map { _ in UInt8.random(in: 0...255, using: &rng) })
        try png.write(to: dir.appendingPathComponent("shot.png"))
        try Data(#"{"ts":"2026-11-21T10:00:00Z","request_id":"r1","msg":"ok"}"#.utf8 + [10]).write(
            to: dir.appendingPathComponent("app.log"))
        let r = try AuditPipeBinary.run(["correlate", "ls", "shot.png", "app.log", "-o", "events.jsonl"], in: dir)
        #expect(r.status == 2)
        #expect(r.stderr.contains("input error: ls: not a log file"))
        #expect(r.stderr.contains("input error: shot.png: not a log file"))
        let events = try String(contentsOf: dir.appendingPathComponent("events.jsonl"), encoding: .utf8)
        #expect(events.split(separator: "\n").count == 1 && events.contains(#""request_id":"r1""#))
        // Allowed explicitly, its lines are read one by one: the run goes through and accounts for each.
        let allowed = try AuditPipeBinary.run(
            ["correlate", "ls", "-o", "junk.jsonl", "--max-dead-letters", "1000000", "--stats", "s.json"], in: dir)
        #expect(allowed.status == 0, "\(allowed.stderr)")
        let s = try AuditPipeBinary.stats(at: dir.appendingPathComponent("s.json"))
        #expect(s["dead_lettered"]! > 0 && s["lines_read"] == s["record_lines"]! + s["dead_lettered"]! + s["blank"]!)
    }

    /// An empty file named on the command line is a warning, like an empty directory (from the second trial:
    /// it was read in silence); the run still succeeds.
    @Test func anEmptyFileIsAWarning() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data().write(to: dir.appendingPathComponent("empty.log"))
        try Data(#"{"ts":"2026-11-21T10:00:00Z","request_id":"r1","msg":"ok"}"#.utf8 + [10]).write(
            to: dir.appendingPathComponent("app.log"))
        // Compressed, empty is a gzip member of nothing (`gzip < /dev/null`): a trial's went by in silence.
        let gzipEmpty: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        try Data(gzipEmpty).write(to: dir.appendingPathComponent("empty.log.gz"))
        let r = try AuditPipeBinary.run(
            ["correlate", "empty.log", "empty.log.gz", "app.log", "-o", "events.jsonl"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("auditpipe: warning: empty.log: the file is empty"))
        #expect(r.stderr.contains("auditpipe: warning: empty.log.gz: the file is empty (compressed"), "\(r.stderr)")
        #expect(!r.stderr.contains("app.log: the file is empty"))
    }

    /// An executable on standard input, plain or gzipped, is refused as a file is (exit 2, naming stdin);
    /// from the second trial, it was read as 1970 junk with exit 0. Allowed explicitly, its lines are read.
    @Test func anExecutableOnStandardInputIsRefused() throws {
        let ls = URL(fileURLWithPath: "/bin/ls")
        let plain = try AuditPipeBinary.run(["correlate", "-", "-q"], stdinFile: ls)
        #expect(plain.status == 2 && plain.stdout.isEmpty, "\(plain.stderr)")
        #expect(plain.stderr.contains("input error: -: standard input is not a log"))
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: ls, to: dir.appendingPathComponent("ls"))
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = [dir.appendingPathComponent("ls").path]
        try gzip.run()
        gzip.waitUntilExit()
        let zipped = try AuditPipeBinary.run(["correlate", "-", "-q"], stdinFile: dir.appendingPathComponent("ls.gz"))
        #expect(zipped.status == 2 && zipped.stderr.contains("standard input is not a log"), "\(zipped.stderr)")
        let allowed = try AuditPipeBinary.run(
            ["correlate", "-", "-q", "--max-dead-letters", "1000000"], stdinFile: ls)
        #expect(allowed.status == 0, "\(allowed.stderr)")
        // A log on standard input is read as before.
        let log = Data(#"{"ts":"2026-11-21T10:00:00Z","request_id":"r1","msg":"ok"}"#.utf8 + [10])
        let ok = try AuditPipeBinary.run(["correlate", "-", "-q"], stdin: log)
        #expect(ok.status == 0 && String(decoding: ok.stdout, as: UTF8.self).contains(#""request_id":"r1""#))
    }

    /// A directory that cannot be read is an input error (exit 2, named), never skipped; an empty one is a
    /// warning. Run as an unprivileged user (root reads everything).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func anUnreadableDirectoryIsAnInputErrorAndAnEmptyOneAWarning() throws {
        let dir = URL(fileURLWithPath: "/tmp/auditpipe-first-hour-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("logs/locked"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("empty"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(#"{"ts":"2026-11-21T10:00:00Z","request_id":"r1","msg":"ok"}"#.utf8 + [10]).write(
            to: dir.appendingPathComponent("logs/a.log"))
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o000], ofItemAtPath: dir.appendingPathComponent("logs/locked").path)
        for d in [dir.path, dir.appendingPathComponent("logs").path, dir.appendingPathComponent("empty").path] {
            try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: d)
        }
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o644], ofItemAtPath: dir.appendingPathComponent("logs/a.log").path)
        // The binary must be reachable by the unprivileged user: copy it out of the build tree.
        let exe = dir.appendingPathComponent("auditpipe")
        try FileManager.default.copyItem(at: AuditPipeBinary.url, to: exe)
        func run(_ args: [String]) throws -> (Int32, String) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            p.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", exe.path] + args
            p.currentDirectoryURL = dir
            p.environment = ["SWIFT_BACKTRACE": "enable=no", "PATH": "/usr/bin:/bin"]
            let err = Pipe()
            p.standardError = err
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            return (p.terminationStatus, text)
        }
        let (status, stderr) = try run(["correlate", "logs"])
        #expect(status == 2, "\(stderr)")
        #expect(stderr.contains("input error: logs/locked: cannot read the directory: Permission denied"))
        #expect(stderr.contains("1 lines read"))
        let (emptyStatus, emptyErr) = try run(["correlate", "empty"])
        #expect(emptyStatus == 0)
        #expect(emptyErr.contains("warning: empty: the directory holds no files to read"))
    }

    /// A JSON record cut short right after a stack trace is a dead letter, not a line of the trace.
    @Test func aTruncatedJSONLineAfterAStackTraceIsDeadLettered() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = """
            2026-11-21T10:00:00.000Z ERROR worker [r1] job failed
            Traceback (most recent call last):
              File "job.py", line 3, in run
            ValueError: bad row
            {"ts":"2026-11-21T10:00:01Z","request_id":"r2","msg":"cut sh
            {"ts":"2026-11-21T10:00:02Z","request_id":"r3","msg":"whole"}

            """
        try Data(text.utf8).write(to: dir.appendingPathComponent("app.log"))
        let r = try AuditPipeBinary.run(
            ["correlate", "app.log", "-o", "e.jsonl", "--dead-letter", "d.jsonl", "--stats", "s.json"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let dead = try String(contentsOf: dir.appendingPathComponent("d.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        #expect(dead.count == 1 && dead[0].contains(#""line":5"#) && dead[0].contains("invalid_json"))
        let s = try AuditPipeBinary.stats(at: dir.appendingPathComponent("s.json"))
        #expect(s["records"] == 2 && s["record_lines"] == 5 && s["dead_lettered"] == 1)
    }

    /// `--format csv` on a log file refuses it (exit 2, naming it) instead of eating its first line as a header;
    /// a CSV export with labels still reads.
    @Test func csvFormatOnALogFileIsRefusedNamingIt() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases = [
            (
                "app.log", "2024-05-14 09:00:00,123 INFO orders: placed, id=7\n2024-05-14 09:00:01,001 INFO paid\n",
                "is a time"
            ),
            ("app.jsonl", #"{"ts":"2026-11-21T10:00:00Z","request_id":"r1"}"# + "\n", "is JSON"),
            ("auth.log", "Dec 10 06:55:46 host sshd[24200]: Accepted, from 203.0.113.9\n", "is a time"),
        ]
        for (name, text, why) in cases {
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
            let r = try AuditPipeBinary.run(["correlate", name, "--format", "csv", "-q"], in: dir)
            #expect(r.status == 2, "\(name): \(r.stderr)")
            #expect(
                r.stderr.contains("input error: \(name): not a CSV file: its first line is no header"), "\(r.stderr)")
            #expect(r.stderr.contains(why), "\(name): \(r.stderr)")
        }
        try "User,Export From,Timestamp\nalice,Sales Invoice,2026-11-21 10:00:00\n".write(
            to: dir.appendingPathComponent("export.csv"), atomically: true, encoding: .utf8)
        let ok = try AuditPipeBinary.run(["correlate", "export.csv", "--format", "csv", "-q"], in: dir)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(String(decoding: ok.stdout, as: UTF8.self).contains("2026-11-21T10:00:00.000Z"))
    }

    /// From a new-user trial: `--format csv -` read the export's rows as JSON lines (every row a dead letter,
    /// one event dated 1970). A CSV export is read whole from a file: stdin is a usage error saying so.
    @Test func csvFormatOnStdinIsAUsageError() throws {
        let export = Data("User,Export From,Timestamp\nalice,Sales Invoice,2026-11-21 10:00:00\n".utf8)
        for command in [["correlate", "-"], ["correlate"], ["filter", "true", "-"], ["filter", "true"]] {
            let r = try AuditPipeBinary.run(command + ["--format", "csv", "-q"], stdin: export)
            #expect(r.status == 1, "\(command): \(r.stderr)")
            #expect(r.stderr.contains("--format csv reads a CSV export whole, from a file, not from stdin"))
            #expect(r.stdout.isEmpty)
        }
    }
}

/// A record with no time of its own and none before it to inherit is flagged `no_time`, never silently dated
/// 1970; a later untimed line inherits the time before it, unflagged.
struct NoTimeTests {
    @Test func anUndatedRecordIsFlagged() throws {
        let input = "service started\n2026-11-21T10:00:00Z INFO api [r1] request done\ncache warm\n"
        let r = try AuditPipeBinary.run(["correlate", "-", "-q"], stdin: Data(input.utf8))
        #expect(r.status == 0, "\(r.stderr)")
        let events = String(decoding: r.stdout, as: UTF8.self).split(separator: "\n")
        #expect(events.count >= 2)
        for e in events {
            #expect(e.contains("1970-01-01") == e.contains("\"no_time\""), "\(e)")
        }
        #expect(events.contains { $0.contains("\"no_time\"") })
        #expect(events.contains { $0.contains("2026-11-21T10:00:00.000Z") && !$0.contains("no_time") })
    }
}

/// Help text reflows to the terminal: in every command's discussion, a prose line either ends its paragraph
/// or is joined to the next (a trailing `\` in the source), and example commands fit in 80 columns.
struct HelpTextTests {
    @Test func discussionsAreNotHardWrapped() throws {
        let dir = AuditPipeBinary.packageRoot.appendingPathComponent("Sources/auditpipe")
        var checked = 0
        for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) where file.hasSuffix(".swift") {
            let lines = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            var i = 0
            while i < lines.count {
                defer { i += 1 }
                guard lines[i].hasSuffix(#"discussion: """"#) else { continue }
                var block: [String] = []
                i += 1
                while !lines[i].trimmingCharacters(in: .whitespaces).hasPrefix(#"""""#) {
                    block.append(lines[i])
                    i += 1
                }
                let indent = block.filter { !$0.isEmpty }.map { $0.prefix { $0 == " " }.count }.min() ?? 0
                for (k, line) in block.enumerated() where !line.isEmpty {
                    let text = String(line.dropFirst(indent))
                    checked += 1
                    if text.hasPrefix(" ") {
                        #expect(text.count <= 80, "\(file): example line over 80 columns: \(text)")
                        continue
                    }
                    let next = k + 1 < block.count ? block[k + 1].dropFirst(indent) : ""
                    let joined = text.hasSuffix("\\") || text.hasSuffix(":") || next.isEmpty || next.hasPrefix(" ")
                    #expect(joined, "\(file): prose hard-wrapped after: \(text)")
                }
            }
        }
        #expect(checked > 30)
    }

    /// Every command and subcommand, from `auditpipe --help` down.
    static func commands() throws -> [[String]] {
        var out: [[String]] = []
        var queue: [[String]] = [[]]
        while let path = queue.popLast() {
            let r = try AuditPipeBinary.run(path + ["--help"])
            let text = String(decoding: r.stdout, as: UTF8.self)
            out.append(path)
            guard let sub = text.range(of: "SUBCOMMANDS:") else { continue }
            for line in text[sub.upperBound...].split(separator: "\n") {
                let words = line.split(separator: " ")
                guard line.hasPrefix("  "), !line.hasPrefix("   "), let name = words.first, name != "See" else {
                    continue
                }
                let command = String(name)
                if command != "help" { queue.append(path + [command]) }
            }
        }
        return out
    }

    /// Each option of a help page with its help text (the lines up to the next option).
    static func options(_ help: String) -> [(name: String, text: String)] {
        guard let start = help.range(of: "OPTIONS:") else { return [] }
        var out: [(String, String)] = []
        for line in help[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " }
            let indent = line.count - trimmed.count
            if indent == 2, trimmed.hasPrefix("-") {
                // `--progress/--no-progress` is one entry, named by its first form.
                let flags =
                    trimmed.split(separator: " ").first { $0.hasPrefix("--") }?.split(separator: "/").first ?? ""
                let name = String(flags.split(separator: "<").first ?? "").trimmingCharacters(
                    in: .punctuationCharacters)
                out.append(("--" + name, String(trimmed)))
            } else if indent > 2, !out.isEmpty {
                out[out.count - 1].1 += " " + trimmed
            } else if indent == 0, !trimmed.isEmpty {
                break
            }
        }
        return out
    }

    /// Every option of every command shows an example: `e.g.` in its help, or its name in the command's
    /// Examples block (`--help`, `--version` and `--generate-completion-script` aside).
    @Test func everyOptionOfEveryCommandHasAnExample() throws {
        let commands = try Self.commands()
        #expect(commands.count >= 12, "\(commands)")
        var missing: [String] = []
        var checked = 0
        for command in commands {
            let help = String(decoding: try AuditPipeBinary.run(command + ["--help"]).stdout, as: UTF8.self)
            // The Examples block of the discussion: up to the usage line.
            var examples = ""
            if let e = help.range(of: "Examples:") {
                let end = help.range(of: "USAGE:", range: e.upperBound..<help.endIndex)?.lowerBound ?? help.endIndex
                examples = String(help[e.upperBound..<end])
            }
            for (name, text) in Self.options(help) where !["--help", "--version"].contains(name) {
                checked += 1
                let inExamples = examples.split(separator: "\n").contains { line in
                    line.split(whereSeparator: { $0 == " " || $0 == "=" }).contains { $0 == name }
                }
                if !text.contains("e.g.") && !inExamples {
                    missing.append("auditpipe \(command.joined(separator: " ")) \(name)")
                }
            }
        }
        #expect(checked > 60)
        #expect(missing.isEmpty, "options without an example:\n\(missing.joined(separator: "\n"))")
    }

    /// Formats and durations are typed arguments: `--help` lists the allowed values, a bad one is refused the
    /// parser's one way (naming the flag, with its help), and `--columns` is refused where it would be ignored.
    @Test func typedArgumentsListTheirValuesAndRefuseBadOnesAlike() throws {
        let help = String(decoding: try AuditPipeBinary.run(["correlate", "--help"]).stdout, as: UTF8.self)
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("(values: auto, json, logfmt, text, openstack, access, csv, syslog; default: auto)"))
        #expect(help.contains("(values: jsonl, csv; default: jsonl)"))
        let cases: [([String], String)] = [
            (["correlate", "--format", "xml"], "The value 'xml' is invalid for '--format <format>'"),
            (["correlate", "--idle", "5x"], "The value '5x' is invalid for '--idle <idle>'"),
            (["correlate", "--since", "yesterday"], "The value 'yesterday' is invalid for '--since <since>'"),
            (
                ["correlate", "--output-format", "xml"],
                "The value 'xml' is invalid for '--output-format <output-format>'"
            ),
            (
                ["query", "a", "--output-format", "pdf"],
                "The value 'pdf' is invalid for '--output-format <output-format>'"
            ),
            (
                ["archive", "--from", "a", "--to", "b", "--retain", "x"],
                "The value 'x' is invalid for '--retain <retain>'"
            ),
            (["summary", "--output-format", "yaml"], "The value 'yaml' is invalid"),
            (["correlate", "--columns", "start"], "--columns applies to --output-format csv"),
            (["filter", "true", "--columns", "start"], "--columns applies to --output-format csv"),
            (["query", "a", "--all", "--columns", "start"], "--columns applies to csv/xlsx output"),
            // From a new-user trial: a byte order mark was dropped in silence from JSONL, and a path with an
            // empty name (`api.payload.`) gave the whole payload, or a did-you-mean of `ip` (`.`).
            (["correlate", "--csv-bom"], "--csv-bom applies to --output-format csv"),
            (["filter", "true", "--csv-bom"], "--csv-bom applies to --output-format csv"),
            (["query", "a", "--all", "--csv-bom"], "--csv-bom applies to --output-format csv"),
            (["correlate", "--output-format", "csv", "--columns", "api.payload."], "'api.payload.' has an empty name"),
            (["correlate", "--output-format", "csv", "--columns", "start,."], "'.' has an empty name"),
            (["query", "a", "--all", "--output-format", "csv", "--columns", "actor..user"], "has an empty name"),
            (["filter", "api.payload. == 1"], "malformed field path 'api.payload.'"),
            // Record columns are record paths (a second trial: any path was taken, and gave an empty column).
            (
                ["filter", "--records", "true", "--output-format", "csv", "--columns", "fields."],
                "'fields.' has an empty name"
            ),
            (["filter", "--records", "true", "--output-format", "csv", "--columns", "user.x"], "'user' has no fields"),
            (["filter", "--records", "true", "--output-format", "csv", "--columns", "nosuch"], "unknown record field"),
            (
                ["filter", "--records", "true", "--output-format", "csv", "--columns", "user,,status"],
                "--columns takes dotted paths"
            ),
            (["correlate", "--output-format", "csv", "--columns", "start,"], "--columns takes dotted paths"),
            (["filter", "user == 0x10"], "invalid number '0x10'"),
            (["query", "a", "--all", "--output-format", "csv", "--columns", ""], "--columns takes dotted paths"),
            (["query", "a", "--all", "--output-format", "csv", "--columns", "start,"], "--columns takes dotted paths"),
        ]
        for (arguments, message) in cases {
            let r = try AuditPipeBinary.run(arguments, stdin: Data())
            #expect(r.status == 1 || r.status == 64, "\(arguments): \(r.status)")
            #expect(r.stderr.contains(message), "\(arguments): \(r.stderr)")
        }
        let ok = try AuditPipeBinary.run(
            ["correlate", "-", "--idle", "1h30m", "--format", "syslog", "--since", "7d", "-q"], stdin: Data())
        #expect(ok.status == 0, "\(ok.stderr)")
    }

    /// From a new-user trial: `--year 0` and `--columns ''` were taken (every line then had no time; a CSV of
    /// blank rows was written).
    @Test func aYearOutOfRangeAndEmptyColumnsAreUsageErrors() throws {
        let year = try AuditPipeBinary.run(["correlate", "-", "--year", "0", "-q"], stdin: Data())
        #expect(year.status == 1)
        #expect(year.stderr.contains("--year takes a year from 1678 to 2261"), "\(year.stderr)")
        // A year past 2261 does not fit the nanosecond clock: every time became 1970 (trial).
        let late = try AuditPipeBinary.run(["correlate", "-", "--year", "2262", "-q"], stdin: Data())
        #expect(late.status == 1, "\(late.stderr)")
        let columns = try AuditPipeBinary.run(
            ["correlate", "-", "--output-format", "csv", "--columns", "", "-q"], stdin: Data())
        #expect(columns.status == 1)
        #expect(columns.stderr.contains("--columns takes dotted paths"), "\(columns.stderr)")
    }

    /// From a new-user trial: `--columns start --columns end` kept only `end`. Every `--columns` counts, in order.
    @Test func repeatedColumnsAreAllWritten() throws {
        let line =
            #"{"ts":"2026-11-21T10:00:00Z","request_id":"c1","user":"alice","method":"GET","path":"/a","status":200}"#
        let r = try AuditPipeBinary.run(
            ["correlate", "-", "--output-format", "csv", "--columns", "request_id", "--columns", "user,status", "-q"],
            stdin: Data((line + "\n").utf8))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(String(decoding: r.stdout, as: UTF8.self) == "request_id,user,status\r\nc1,alice,200\r\n")
    }

    /// From a new-user trial: `--columns method` (and `user_id`, `user_agent`, `result`, `error`, `path`,
    /// `query`, `payload`, `service`) was accepted and gave an empty column. Every shorthand is its dotted field.
    @Test func everyColumnShorthandGivesItsDottedFieldsColumn() throws {
        let shorthands = EventSchema.shorthands.keys.sorted()
        let lines = [
            #"{"ts":"2026-11-21T10:00:00Z","request_id":"c1","service":"gateway","user":"alice","user_id":"u-7","ip":"10.0.0.7","user_agent":"curl/8.0","method":"POST","path":"/api/orders/7?x=1","route":"/api/orders/{id}","status":500,"body":{"n":1}}"#,
            #"{"ts":"2026-11-21T10:00:00.1Z","request_id":"c1","service":"orders","level":"error","msg":"order 7 is locked"}"#,
        ]
        let r = try AuditPipeBinary.run(
            [
                "correlate", "-", "-q", "--output-format", "csv", "--columns",
                (shorthands + shorthands.map { EventSchema.shorthands[$0]! }).joined(separator: ","),
            ], stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
        #expect(r.status == 0, "\(r.stderr)")
        let rows = String(decoding: r.stdout, as: UTF8.self).split(whereSeparator: \.isNewline).map {
            Self.cells(String($0))
        }
        #expect(rows.count == 2)
        let row = try #require(rows.last)
        #expect(row.count == 2 * shorthands.count)
        for (i, name) in shorthands.enumerated() {
            #expect(!row[i + shorthands.count].isEmpty, "\(name): the fixture leaves it empty")
            #expect(row[i] == row[i + shorthands.count], "\(name) vs \(EventSchema.shorthands[name]!)")
        }
    }

    /// The cells of one RFC 4180 row (quotes kept).
    static func cells(_ row: String) -> [String] {
        var out: [String] = []
        var cell = ""
        var quoted = false
        for c in row {
            if c == "\"" { quoted.toggle() }
            if c == ",", !quoted {
                out.append(cell)
                cell = ""
            } else {
                cell.append(c)
            }
        }
        out.append(cell)
        return out
    }
}

#if os(Linux)
    private let isLinux = true
#else
    private let isLinux = false
#endif
