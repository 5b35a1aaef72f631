import Foundation
import Testing

/// How many bytes of lines make a batch changes no output: the same events, records, dead letters and
/// accounting line whether a batch holds a few lines or the whole input, so the batch size can be tuned for
/// the cache (`PipelineOptions.batchBytes`) without a second look at correctness.
struct BatchSizeTests {
    /// A demo dump (gzipped as well), and a file of stack traces and lines longer than the smallest batch,
    /// so continuations and long lines straddle batch ends.
    static func write(in dir: URL) throws -> [String] {
        let demo = try EventClockDifferentialTests.demo(requests: 1_500, seed: 17)
        let plain = dir.appendingPathComponent("demo.log")
        try demo.write(to: plain)
        let gz = Process()
        gz.executableURL = URL(fileURLWithPath: "/bin/sh")
        gz.arguments = ["-c", "gzip -c '\(plain.path)' > '\(dir.path)/again.log.gz'"]
        try gz.run()
        gz.waitUntilExit()
        var odd = ""
        for i in 0..<300 {
            let ts = String(format: "2026-11-21 10:%02d:%02d,%03d", i / 60, i % 60, i % 1000)
            if i % 7 == 0 {
                let pad = String(repeating: "x", count: 5_000 + 37 * i)
                odd += #"{"ts":"2026-11-21T10:\#(String(format: "%02d:%02d", i / 60, i % 60)).5Z","#
                odd += #""request_id":"long-\#(i % 40)","user":"u\#(i)","msg":"\#(pad)"}"# + "\n"
            } else {
                odd += "\(ts) ERROR [req-\(i % 40)] worker failed\n"
                odd += "java.lang.IllegalStateException: boom \(i)\n"
                for f in 0..<(i % 9) { odd += "\tat com.example.Worker.run(Worker.java:\(f + 10))\n" }
            }
            if i % 50 == 0 { odd += "{\"broken\": \n" }
        }
        try odd.write(to: dir.appendingPathComponent("odd.log"), atomically: true, encoding: .utf8)
        return [plain.path, dir.path + "/again.log.gz", dir.path + "/odd.log"]
    }

    @Test func everyBatchSizeGivesTheSameOutput() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try Self.write(in: dir)
        for command in [["correlate"], ["filter", "--records", #"user == "u14" or level == "error""#]] {
            var first: (stdout: Data, dead: [Substring], accounting: String)?
            for size in ["4096", "65536", "262144", "67108864"] {
                let dead = dir.appendingPathComponent("dead-\(size).jsonl")
                let r = try AuditPipeBinary.run(
                    command + files + ["--batch-bytes", size, "--dead-letter", dead.path])
                #expect(r.status == 0, "\(r.stderr)")
                let accounting = r.stderr.split(separator: "\n").first { $0.contains("lines read = ") }.map(String.init)
                // Dead letters as a set: each input's come in its order, but the inputs' interleave with where
                // their batches end (the merge takes a batch's dead letters when it takes the batch).
                let letters = String(decoding: try Data(contentsOf: dead), as: UTF8.self).split(separator: "\n")
                    .sorted()
                let run = (r.stdout, letters, accounting ?? "")
                if let first {
                    #expect(run.0 == first.stdout, "\(command[0]) --batch-bytes \(size): other output")
                    #expect(run.1 == first.dead, "\(command[0]) --batch-bytes \(size): other dead letters")
                    #expect(run.2 == first.accounting, "\(command[0]) --batch-bytes \(size): \(run.2)")
                } else {
                    #expect(r.stdout.count > 10_000 && !run.1.isEmpty && !run.2.isEmpty)
                    first = run
                }
            }
        }
    }

    /// The parse worker count is chosen by the command and the cores (one parser reads, parses and joins in
    /// one task; several take batches from a reader): every count gives one input's output, dead letters and
    /// accounting alike, plain or gzipped, with small batches so many of them are in flight.
    @Test func everyParseWorkerCountGivesTheSameOutput() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try Self.write(in: dir)
        for file in files {
            for command in [["correlate"], ["filter", "--records", #"user == "u14" or level == "error""#]] {
                var first: (stdout: Data, dead: Data, accounting: String)?
                for workers in [nil, "1", "2", "3"] {
                    let dead = dir.appendingPathComponent("dead-\(workers ?? "auto").jsonl")
                    let flags = workers.map { ["--parse-workers", $0] } ?? []
                    let r = try AuditPipeBinary.run(
                        command + [file, "--batch-bytes", "16384", "--dead-letter", dead.path] + flags)
                    #expect(r.status == 0, "\(r.stderr)")
                    let accounting = r.stderr.split(separator: "\n").first { $0.contains("lines read = ") }
                    let run = (r.stdout, try Data(contentsOf: dead), accounting.map(String.init) ?? "")
                    let base = file.split(separator: "/").last ?? ""
                    let name = "\(command[0]) \(base) --parse-workers \(workers ?? "auto")"
                    if let first {
                        #expect(run.0 == first.stdout, "\(name): other output")
                        #expect(run.1 == first.dead, "\(name): other dead letters")
                        #expect(run.2 == first.accounting, "\(name): \(run.2)")
                    } else {
                        #expect(r.stdout.count > 1_000 && !run.2.isEmpty, "\(name)")
                        first = run
                    }
                }
            }
        }
    }

    @Test func batchSizesOutsideTheirRangeAreRefused() throws {
        for size in ["0", "4095", "67108865"] {
            let r = try AuditPipeBinary.run(["correlate", "--batch-bytes", size, "/dev/null"])
            #expect(r.status != 0)
            #expect(r.stderr.contains("--batch-bytes takes 4096 to 67108864"), "\(r.stderr)")
        }
    }
}
