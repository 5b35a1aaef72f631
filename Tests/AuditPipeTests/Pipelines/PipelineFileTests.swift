import Foundation
import Testing

/// The pipeline files in `Pipelines/`: each validates, its `tests:` block passes, and its run on the bundled
/// inputs gives the golden outputs in `Fixtures/pipelines/<name>/expected/`. Malformed files in
/// `Fixtures/bad-pipelines/` give exactly the errors in their `.expected` files.
/// `AUDITPIPE_UPDATE_GOLDEN=1` rewrites the golden files (review the diff).
struct PipelineFileTests {
    static let root = AuditPipeBinary.packageRoot
    static let update = ProcessInfo.processInfo.environment["AUDITPIPE_UPDATE_GOLDEN"] == "1"

    static let pipelineFiles: [String] = {
        let names =
            (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Pipelines").path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { "Pipelines/\($0)" }
    }()

    static let badFiles: [String] = {
        let dir = root.appendingPathComponent("Fixtures/bad-pipelines")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }()

    static let allGoldenCases: [String] = {
        let dir = root.appendingPathComponent("Fixtures/pipelines")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
    }()

    /// True when a pipeline's bundled input is `../shared/realdata`, which a fresh clone does not have.
    static func readsRealData(_ name: String) -> Bool {
        let text = (try? String(contentsOf: root.appendingPathComponent("Pipelines/\(name).yaml"), encoding: .utf8))
        return text?.contains("../shared/realdata") ?? false
    }

    /// Golden cases whose inputs are in the repository, and those that read `../shared/realdata`.
    static let goldenCases = allGoldenCases.filter { !readsRealData($0) }
    static let realDataGoldenCases = allGoldenCases.filter(readsRealData)

    @Test func everyUseAndFormatHasAPipelineFile() {
        for name in [
            "batch-dump", "stdin-filter", "nightly-archive", "frappe-access-log", "pydio-cells", "codefresh",
            "kubernetes-audit", "cloudtrail", "nginx-envoy", "har",
        ] {
            #expect(Self.pipelineFiles.contains("Pipelines/\(name).yaml"), "missing Pipelines/\(name).yaml")
        }
    }

    @Test func everyPipelineFileValidates() throws {
        let r = try AuditPipeBinary.run(["validate"] + Self.pipelineFiles, in: Self.root)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = String(decoding: r.stdout, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == Self.pipelineFiles.count)
        #expect(lines.allSatisfy { $0.contains(": ok (") })
    }

    @Test func everyPipelineFileHasTestsAndTheyPass() throws {
        let r = try AuditPipeBinary.run(["test"] + Self.pipelineFiles, in: Self.root)
        let out = String(decoding: r.stdout, as: UTF8.self)
        #expect(r.status == 0, "\(out)\(r.stderr)")
        #expect(!out.contains("no tests"), "\(out)")
        #expect(!out.contains("FAILED"), "\(out)")
        for file in Self.pipelineFiles { #expect(out.contains("\(file):"), "no test ran for \(file)") }
        let passed = out.split(separator: "\n").filter { $0.contains(": ok: ") }.count
        #expect(out.hasSuffix("\(passed) passed, 0 failed\n"))
        #expect(passed >= Self.pipelineFiles.count)
    }

    @Test func aFailingExpectationFailsTheTestCommand() throws {
        let tmp = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let file = tmp.appendingPathComponent("p.yaml")
        try """
        inputs: ["-"]
        outputs:
          - type: jsonl
            path: "-"
        tests:
          - name: wrong on purpose
            input: |
              {"ts":"2026-11-21T10:00:00Z","request_id":"r","method":"GET","path":"/api/v1/reports/sales"}
            events: 2
            expect:
              - action: export
                entity.id: sales
        """.write(to: file, atomically: true, encoding: .utf8)
        let r = try AuditPipeBinary.run(["test", file.path], in: tmp)
        #expect(r.status == 1)
        #expect(
            String(decoding: r.stdout, as: UTF8.self) == """
                \(file.path):6: FAILED: wrong on purpose
                    expected 2 events, got 1
                    event 1 action: expected "export", got "view"
                0 passed, 1 failed

                """)
    }

    @Test func thereAreAtLeastTwelveMalformedPipelineFiles() {
        #expect(Self.badFiles.count >= 12)
    }

    @Test(arguments: badFiles)
    func malformedPipelineFileGivesExactErrors(_ name: String) throws {
        let path = "Fixtures/bad-pipelines/\(name)"
        let r = try AuditPipeBinary.run(["validate", path], in: Self.root)
        #expect(r.status == 1)
        let expectedURL = Self.root.appendingPathComponent(path.replacingOccurrences(of: ".yaml", with: ".expected"))
        if Self.update {
            if (try? String(contentsOf: expectedURL, encoding: .utf8)) != r.stderr {
                try Data(r.stderr.utf8).write(to: expectedURL)
                Issue.record("recorded \(path): review the diff, then run again without AUDITPIPE_UPDATE_GOLDEN")
            }
            return
        }
        #expect(r.stderr == (try String(contentsOf: expectedURL, encoding: .utf8)))
    }

    @Test(arguments: goldenCases)
    func pipelineRunMatchesGoldenOutputs(_ name: String) throws {
        try Self.checkGolden(name)
    }

    @Test(
        .enabled(if: EventClockDifferentialTests.hasRealData, "needs ../shared/realdata beside the checkout"),
        arguments: realDataGoldenCases)
    func realDataPipelineRunMatchesGoldenOutputs(_ name: String) throws {
        try Self.checkGolden(name)
    }

    /// Runs `Pipelines/<name>.yaml` on its bundled input and compares every file it writes with the goldens (a
    /// file written but not in the goldens fails too). Recording (`AUDITPIPE_UPDATE_GOLDEN=1`) fails the test
    /// for every golden it changes, so a recorded run is never taken for a passing one.
    static func checkGolden(_ name: String) throws {
        let caseDir = Self.root.appendingPathComponent("Fixtures/pipelines/\(name)")
        let expectedDir = caseDir.appendingPathComponent("expected")
        let tmp = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let stdin = try? Data(contentsOf: caseDir.appendingPathComponent("stdin.jsonl"))
        let r = try AuditPipeBinary.run(
            ["run", "Pipelines/\(name).yaml", "-q", "--now", "2026-11-23T00:30:00Z"], in: Self.root, stdin: stdin,
            environment: ["OUT": tmp.path, "ARCHIVE_RETAIN": "36500d"])
        #expect(r.status == 0, "\(r.stderr)")
        try r.stdout.write(to: tmp.appendingPathComponent("stdout"))
        let expected = try FileManager.default.contentsOfDirectory(atPath: expectedDir.path).sorted()
        #expect(!expected.isEmpty)
        let produced = try FileManager.default.contentsOfDirectory(atPath: tmp.path).filter { file in
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: tmp.appendingPathComponent(file).path, isDirectory: &isDirectory)
            return !isDirectory.boolValue && (file != "stdout" || !r.stdout.isEmpty)
        }
        for file in Set(produced).union(expected).sorted() {
            let actual = try? Data(contentsOf: tmp.appendingPathComponent(file))
            let goldenURL = expectedDir.appendingPathComponent(file)
            let golden = try? Data(contentsOf: goldenURL)
            if update {
                if actual != golden {
                    if let actual {
                        try actual.write(to: goldenURL)
                    } else {
                        try FileManager.default.removeItem(at: goldenURL)
                    }
                    Issue.record(
                        "recorded \(name)/\(file): review the diff, then run again without AUDITPIPE_UPDATE_GOLDEN")
                }
                continue
            }
            guard let actual, let golden else {
                Issue.record(
                    "\(name)/\(file): \(actual == nil ? "expected but not written" : "written but not in the goldens")")
                continue
            }
            #expect(
                actual == golden,
                "\(name)/\(file) differs:\n--- expected\n\(String(decoding: golden, as: UTF8.self))\n--- actual\n\(String(decoding: actual, as: UTF8.self))"
            )
        }
        if let stats = try? AuditPipeBinary.stats(at: tmp.appendingPathComponent("stats.json")) {
            #expect(stats["lines_read"] == stats["record_lines"]! + stats["dead_lettered"]! + stats["blank"]!)
        }
        // An archive output leaves a verified archive: every event of the run is in it.
        let archive = tmp.appendingPathComponent("archive")
        if FileManager.default.fileExists(atPath: archive.path) {
            let v = try AuditPipeBinary.run(["verify", archive.path])
            #expect(v.status == 0, "\(v.stderr)")
            if let stats = try? AuditPipeBinary.stats(at: tmp.appendingPathComponent("stats.json")) {
                #expect(v.stderr.contains("\(stats["events"]!) events, chain intact"), "\(v.stderr)")
            }
        }
    }
}

/// `auditpipe summary` on the Pydio Cells golden events: per node prefix and per user, as table, CSV and JSON
/// (the JSON run reads the events gzip-compressed).
struct ActivitySummaryTests {
    static let root = AuditPipeBinary.packageRoot
    static let events = "Fixtures/pipelines/pydio-cells/expected/events.jsonl"

    @Test(arguments: [
        (["--by", "node"], "by-node-depth-2.txt", false), (["--by", "user", "--format", "csv"], "by-user.csv", false),
        (["--depth", "3", "--format", "json"], "by-node-depth-3.json", true),
    ])
    func summaryMatchesGolden(_ flags: [String], _ golden: String, _ gzip: Bool) throws {
        var input = Self.events
        let tmp = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        if gzip {
            let gz = tmp.appendingPathComponent("events.jsonl.gz")
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "gzip -c '\(Self.root.path)/\(Self.events)' > '\(gz.path)'"]
            try p.run()
            p.waitUntilExit()
            input = gz.path
        }
        let r = try AuditPipeBinary.run(["summary", input] + flags, in: Self.root)
        #expect(r.status == 0, "\(r.stderr)")
        // The two login events name no node; every event names its user.
        let skipped = flags.contains("user") ? "" : "auditpipe: 2 events without a node, 0 lines that are not events\n"
        #expect(r.stderr == skipped)
        let url = Self.root.appendingPathComponent("Fixtures/summary/\(golden)")
        if PipelineFileTests.update { try r.stdout.write(to: url) }
        #expect(String(decoding: r.stdout, as: UTF8.self) == (try String(contentsOf: url, encoding: .utf8)))
    }
}

extension ActivitySummaryTests {
    /// An events file named twice (or through another path) is counted once, with a warning, as the pipeline's
    /// inputs are (a re-check trial: `summary ev.jsonl ./ev.jsonl` doubled every count).
    @Test func anEventsFileNamedTwiceIsCountedOnce() throws {
        let once = try AuditPipeBinary.run(["summary", Self.events, "--by", "user"], in: Self.root)
        let twice = try AuditPipeBinary.run(
            ["summary", Self.events, "./" + Self.events, "--by", "user"], in: Self.root)
        #expect(once.status == 0 && twice.status == 0)
        #expect(twice.stdout == once.stdout)
        #expect(twice.stderr.contains("is not read again"), "\(twice.stderr)")
    }
}

/// Pipeline features beyond the bundled files: a followed input with a checkpoint, and a composite key.
struct PipelineFeatureTests {
    @Test func followedInputWritesEventsAsTheFileGrowsAndStopsOnSIGTERM() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("logs"), withIntermediateDirectories: true)
        try """
        inputs:
          - path: logs/*.log
            follow: true
            checkpoint: state
        correlation:
          idle: 1s
        outputs:
          - type: jsonl
            path: events.jsonl
          - type: stats
            path: stats.json
        """.write(to: dir.appendingPathComponent("p.yaml"), atomically: true, encoding: .utf8)
        func line(_ id: String, _ second: Int) -> String {
            #"{"ts":"2026-11-21T10:00:\#(String(format: "%02d", second))Z","request_id":"\#(id)","method":"GET","path":"/x/\#(id)","status":200}"#
                + "\n"
        }
        let log = dir.appendingPathComponent("logs/app.log")
        try line("a", 0).write(to: log, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = AuditPipeBinary.url
        p.arguments = ["run", "p.yaml", "-q"]
        p.currentDirectoryURL = dir
        p.environment = ["SWIFT_BACKTRACE": "enable=no"]
        try p.run()
        usleep(800_000)
        let h = try FileHandle(forWritingTo: log)
        h.seekToEndOfFile()
        h.write(Data((line("b", 10) + line("c", 20)).utf8))
        try h.close()
        usleep(1_500_000)
        p.terminate()
        p.waitUntilExit()
        #expect(p.terminationStatus == 143)
        let events = try String(contentsOf: dir.appendingPathComponent("events.jsonl"), encoding: .utf8)
        #expect(events.split(separator: "\n").count == 3)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("state/checkpoint.json").path))
    }

    @Test func compositeKeyGroupsRecordsWithoutARequestIDWithinAWindow() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("p.yaml")
        try """
        inputs: ["-"]
        correlation:
          group_by: [user, reference_document]
          window: 10m
        enrich:
          access: frappe
        outputs:
          - type: jsonl
            path: "-"
        tests:
          - name: one user's views of one document within ten minutes are one event
            input: |
              {"timestamp":"2026-11-20 09:00:00","user":"alice","export_from":"Sales Invoice","reference_document":"SINV-1"}
              {"timestamp":"2026-11-20 09:04:00","user":"alice","export_from":"Sales Invoice","reference_document":"SINV-1"}
              {"timestamp":"2026-11-20 09:05:00","user":"bob","export_from":"Sales Invoice","reference_document":"SINV-1"}
              {"timestamp":"2026-11-20 09:30:00","user":"alice","export_from":"Sales Invoice","reference_document":"SINV-1"}
            events: 3
            expect:
              - request_id: alice | SINV-1
                records: 2
                flags: []
              - request_id: bob | SINV-1
                records: 1
              - request_id: alice | SINV-1
                records: 1
        """.write(to: file, atomically: true, encoding: .utf8)
        let r = try AuditPipeBinary.run(["test", file.path], in: dir)
        #expect(r.status == 0, "\(String(decoding: r.stdout, as: UTF8.self))")
    }

    /// `group_by: [fields.NAME]` groups by the record field NAME, as the README says and `enrich: map:` reads it;
    /// it grouped nothing (the key was looked up as a nested `fields` object).
    @Test func aCompositeKeyWrittenAsFieldsNameGroupsByThatRecordField() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("p.yaml")
        try """
        inputs: ["-"]
        correlation:
          group_by: [fields.ticket]
          window: 10m
        outputs:
          - type: jsonl
            path: "-"
        tests:
          - name: two records of one ticket are one event
            input: |
              {"timestamp":"2026-11-20 09:00:00","ticket":"T1","message":"a"}
              {"timestamp":"2026-11-20 09:01:00","ticket":"T1","message":"b"}
              {"timestamp":"2026-11-20 09:02:00","ticket":"T2","message":"c"}
            events: 2
            expect:
              - request_id: T1
                records: 2
              - request_id: T2
                records: 1
        """.write(to: file, atomically: true, encoding: .utf8)
        let r = try AuditPipeBinary.run(["test", file.path], in: dir)
        #expect(r.status == 0, "\(String(decoding: r.stdout, as: UTF8.self))")
    }
}
