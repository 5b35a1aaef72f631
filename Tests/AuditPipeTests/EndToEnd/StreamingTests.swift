import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `auditpipe filter` as a live filter: events leave a quiet pipe within the idle gap, a closed stdout ends
/// the run quietly, and SIGTERM writes every open group before exiting 143.
struct StreamingTests {
    /// A running `auditpipe` whose stdin and stdout the test holds.
    final class Live {
        let process = Process()
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()

        convenience init(_ arguments: [String]) throws {
            self.init(unstarted: arguments)
            try process.run()
        }

        /// Sets the process up without starting it.
        init(unstarted arguments: [String]) {
            process.executableURL = AuditPipeBinary.url
            process.arguments = arguments
            var env = ProcessInfo.processInfo.environment
            env["SWIFT_BACKTRACE"] = "enable=no"
            process.environment = env
            process.standardInput = stdin
            process.standardOutput = stdout
            process.standardError = stderr
        }

        func write(_ lines: [String]) {
            stdin.fileHandleForWriting.write(Data(lines.map { $0 + "\n" }.joined().utf8))
        }

        /// Waits up to `timeout` seconds for stdout to become readable; returns the seconds it took, or nil.
        func waitForOutput(timeout: Double) -> Double? {
            let start = Date()
            var p = pollfd(fd: stdout.fileHandleForReading.fileDescriptor, events: Int16(POLLIN), revents: 0)
            let rc = poll(&p, 1, Int32(timeout * 1000))
            return rc > 0 ? Date().timeIntervalSince(start) : nil
        }

        /// Everything left on stdout and stderr once the process ends.
        func finish() -> (status: Int32, out: String, err: String) {
            let out = stdout.fileHandleForReading.readDataToEndOfFile()
            let err = stderr.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (
                process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self)
            )
        }
    }

    @Test func eventLeavesAQuietPipeWithinTheIdleGap() throws {
        let live = try Live(["filter", "true", "--idle", "1s", "-q"])
        // Log lines only (no response record to end the request): only the idle gap can close it.
        live.write([
            #"{"ts":"2026-11-21T10:00:00.000Z","service":"auth","request_id":"r1","msg":"token checked"}"#,
            #"{"ts":"2026-11-21T10:00:00.050Z","service":"reports","request_id":"r1","msg":"rows exported"}"#,
        ])
        // The pipe stays open and quiet: the wall clock must close the group (idle 1 s; bound idle + 1 s).
        let seconds = live.waitForOutput(timeout: 2.0)
        #expect(seconds != nil, "no event within --idle + 1 s on a quiet, open pipe")
        #expect((seconds ?? 0) >= 0.9, "the group closed before its idle gap")
        try live.stdin.fileHandleForWriting.close()
        let result = live.finish()
        #expect(result.status == 0)
        #expect(result.out.split(separator: "\n").count == 1)
        #expect(result.out.contains(#""request_id":"r1""#))
    }

    @Test func closedStdoutEndsTheRunQuietly() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ap = AuditPipeBinary.url.path
        let script = """
            '\(ap)' demo --requests 20000 2>demo.err | '\(ap)' filter true 2>filter.err | head -n 1 > out
            echo ${PIPESTATUS[@]} > status
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", script]
        p.currentDirectoryURL = dir
        try p.run()
        p.waitUntilExit()
        let read = { (name: String) in
            (try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)) ?? "?"
        }
        #expect(read("status") == "0 0 0\n")
        #expect(read("demo.err") == "")
        #expect(read("filter.err") == "")
        #expect(read("out").hasPrefix(#"{"event_id":""#))
        #expect(read("out").split(separator: "\n").count == 1)
    }

    @Test func sigtermWritesEveryOpenGroupAndExits143() throws {
        let live = try Live(["filter", "true", "--idle", "30s"])
        for i in 0..<5 {
            live.write([
                #"{"ts":"2026-11-21T10:00:0\#(i).000Z","service":"auth","request_id":"open-\#(i)","msg":"token checked"}"#,
                #"{"ts":"2026-11-21T10:00:0\#(i).100Z","service":"billing","request_id":"open-\#(i)","msg":"charged"}"#,
            ])
        }
        // No end markers, idle 30 s, the pipe stays open: nothing closes before SIGTERM. Let the lines be read.
        #expect(live.waitForOutput(timeout: 1.0) == nil)
        live.process.terminate()
        let result = live.finish()
        #expect(result.status == 143)
        let ids = result.out.split(separator: "\n").compactMap { line -> String? in
            let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return obj?["request_id"] as? String
        }
        #expect(ids.sorted() == (0..<5).map { "open-\($0)" })
        #expect(result.err.contains("10 lines read = 10 in 10 records + 0 dead-lettered + 0 blank; 5 events"))
    }
}
