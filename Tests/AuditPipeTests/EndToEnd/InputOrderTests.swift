import Foundation
import Testing

/// The order inputs are given in (or a follower finds them in) changes no event: records of one millisecond
/// from several files name the event, give its services and win its fields by the files' names, not by their
/// places in the input list. Before, reversing `correlate`'s arguments changed event ids and fields.
struct InputOrderTests {
    /// Two files whose records of each request share their millisecond, with different users and services,
    /// plus a demo dump beside them.
    static func write(in dir: URL) throws -> [String] {
        var x = ""
        var y = ""
        for i in 0..<200 {
            let ts = String(format: "2026-11-21T10:%02d:%02d.%03dZ", i / 60, i % 60, i % 7)
            x += #"{"ts":"\#(ts)","service":"svc-x","request_id":"r\#(i)","user":"ux\#(i)","msg":"x"}"# + "\n"
            y += #"{"ts":"\#(ts)","service":"svc-y","request_id":"r\#(i)","user":"uy\#(i)","msg":"y"}"# + "\n"
        }
        let one = dir.appendingPathComponent("one")
        let two = dir.appendingPathComponent("two")
        try FileManager.default.createDirectory(at: one, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: two, withIntermediateDirectories: true)
        try x.write(to: one.appendingPathComponent("x.log"), atomically: true, encoding: .utf8)
        try y.write(to: two.appendingPathComponent("y.log"), atomically: true, encoding: .utf8)
        let demo = try EventClockDifferentialTests.demo(requests: 300, seed: 5)
        try demo.write(to: one.appendingPathComponent("demo.log"))
        return [one.path + "/x.log", two.path + "/y.log", one.path + "/demo.log"]
    }

    @Test func reversedInputsGiveTheSameEvents() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try Self.write(in: dir)
        let forward = try AuditPipeBinary.run(["correlate"] + files + ["-q"])
        let backward = try AuditPipeBinary.run(["correlate"] + files.reversed() + ["-q"])
        let rotated = try AuditPipeBinary.run(["correlate", files[1], files[2], files[0], "-q"])
        #expect(forward.status == 0, "\(forward.stderr)")
        let lines = EventClockDifferentialTests.lines(forward.stdout)
        #expect(lines.count >= 500)
        // Each tied request names one user and lists both services.
        #expect(
            lines.filter { $0.contains(#""request_id":"r7""#) && $0.contains("svc-x") && $0.contains("svc-y") }.count
                == 1)
        #expect(forward.stdout == backward.stdout)
        #expect(forward.stdout == rotated.stdout)
    }
}
