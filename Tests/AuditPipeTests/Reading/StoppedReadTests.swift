import Foundation
import Testing

@testable import AuditPipe

/// A run stopped mid-input (SIGINT, SIGTERM) reads no further: the lines it framed are whole lines of the file,
/// the part of a line after the last newline read is not one, and a gzip member left there is not a truncated
/// file. A new-user trial stopped `correlate d.log.gz` and got "truncated gzip member" as an input error (exit
/// code and `--stats` alike), and `filter --records d.log` dead-lettered the valid line the stop cut.
struct StoppedReadTests {
    /// Lines of varied lengths, so read chunks end inside lines, with hex that gzip cannot shrink much, so a
    /// gzipped file takes many reads.
    static func lines(_ count: Int) -> [String] {
        var rng = SplitMix64(seed: 38)
        return (0..<count).map { i in
            let words = (0..<(2 + i % 30)).map { _ in String(rng.next(), radix: 16) }.joined(separator: " ")
            return #"{"ts":"2026-11-21T10:00:00Z","request_id":"r\#(i % 97)","msg":"\#(words)"}"#
        }
    }

    @Test(arguments: [false, true])
    func aStopMidInputLeavesWholeLinesAndNoError(gzipped: Bool) throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let written = Self.lines(40_000)
        let plain = dir.appendingPathComponent("d.log")
        try (written.joined(separator: "\n") + "\n").write(to: plain, atomically: true, encoding: .utf8)
        var path = plain.path
        if gzipped {
            let gz = Process()
            gz.executableURL = URL(fileURLWithPath: "/bin/sh")
            gz.arguments = ["-c", "gzip -c '\(plain.path)' > '\(plain.path).gz'"]
            try gz.run()
            gz.waitUntilExit()
            path += ".gz"
        }
        let control = RunControl()
        var framer = LineFramer(
            source: try InputStage.open(InputSpec(path: path), control: control), input: 0, maxLineBytes: 1 << 20,
            batchBytes: 16 << 10, readSize: 4096)
        var got: [String] = []
        var batches = 0
        while let batch = try framer.nextBatch() {
            for span in batch.lines {
                got.append(
                    String(decoding: batch.bytes[Int(span.start)..<Int(span.start + span.length)], as: UTF8.self))
            }
            batches += 1
            // Stopped after a few batches, as a signal would: the source's next read gives nothing.
            if batches == 5 { control.requestStop() }
        }
        #expect(framer.pendingError == nil, "\(String(describing: framer.pendingError))")
        #expect(got.count > 100 && got.count < written.count, "\(got.count) lines")
        let wrong = zip(got, written).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(wrong == nil, "line \((wrong ?? 0) + 1) framed is not the file's line")
    }
}
