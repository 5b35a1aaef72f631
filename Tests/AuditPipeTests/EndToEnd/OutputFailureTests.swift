import Foundation
import Testing

/// An output that fails during a run (a full disk, a file-size limit) ends it with exit 3 and the failure named,
/// and with the accounting line every run prints: how far the run got. A new-user trial found only the failure
/// on stderr (`-o /dev/full`, a full `--dead-letter`), no counts.
struct OutputFailureTests {
    @Test(arguments: [["-o", "/dev/full"], ["--dead-letter", "/dev/full", "-o", "/dev/null"]])
    func aFailedOutputEndsTheRunWithItsAccountingLine(flags: [String]) throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { return }
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let dump = dir.appendingPathComponent("d.log")
        try EventClockDifferentialTests.demo(requests: 3_000, seed: 38).write(to: dump)
        let r = try AuditPipeBinary.run(["correlate", dump.path] + flags)
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("output failed: /dev/full"), "\(r.stderr)")
        let accounting = r.stderr.split(separator: "\n").first { $0.contains(" lines read = ") }
        #expect(accounting != nil, "\(r.stderr)")
        let quiet = try AuditPipeBinary.run(["correlate", dump.path, "-q"] + flags)
        #expect(quiet.status == 3 && !quiet.stderr.contains(" lines read = "), "\(quiet.stderr)")
    }
}
