import Foundation
import Testing

/// `correlate` draws its progress line on a terminal (run under `script`, which gives it one), and not with
/// `--no-progress`; the events are the same either way.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
struct ProgressLineTests {
    /// Runs `auditpipe arguments` on a pseudo-terminal; returns what the terminal showed.
    static func onTerminal(_ arguments: [String], in dir: URL) throws -> String {
        let command = ([AuditPipeBinary.url.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        p.arguments = ["-qec", command, "/dev/null"]
        p.currentDirectoryURL = dir
        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self)
    }

    @Test func aLongRunOnATerminalDrawsItsProgress() throws {
        let (dir, url) = try PipelineTests.dump(requests: 15_000, seed: 8)
        defer { try? FileManager.default.removeItem(at: dir) }
        let drawn = try Self.onTerminal(["correlate", url.path, "-o", "with.jsonl"], in: dir)
        #expect(drawn.contains("\r\u{1B}[K"))
        #expect(drawn.contains("MB read") && drawn.contains("% of ") && drawn.contains("ETA"))
        #expect(drawn.contains("lines read ="))
        let quiet = try Self.onTerminal(["correlate", url.path, "-o", "without.jsonl", "--no-progress"], in: dir)
        #expect(!quiet.contains("MB read"))
        #expect(quiet.contains("lines read ="))
        let with = try Data(contentsOf: dir.appendingPathComponent("with.jsonl"))
        let without = try Data(contentsOf: dir.appendingPathComponent("without.jsonl"))
        #expect(!with.isEmpty && with == without)
    }
}
