import Foundation
import Testing

@testable import AuditPipe

/// `LineLocator` names the line `archive`'s workers refused by its number in the live file, reading the file in
/// blocks: whatever the block size, lines across blocks, `\r\n`, a last line without a newline, repeated and
/// absent lines, it must give what splitting the whole file gives.
struct LineLocatorTests {
    @Test func itFindsWhatSplittingTheWholeFileFinds() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SplitMix64(seed: 409)
        for round in 0..<60 {
            var lines: [[UInt8]] = []
            for _ in 0..<Int(rng.next() % 30) {
                let length = rng.next() % 4 == 0 ? Int(rng.next() % 300) : Int(rng.next() % 12)
                var line = (0..<length).map { _ in UInt8(ascii: "a") + UInt8(rng.next() % 3) }
                if rng.next() % 6 == 0 { line.append(13) }
                lines.append(line)
            }
            var bytes: [UInt8] = []
            for (i, line) in lines.enumerated() {
                bytes += line
                // An empty last line is written with its newline (without one, it would be no line at all).
                if i < lines.count - 1 || line.isEmpty || rng.next() % 2 == 0 { bytes.append(10) }
            }
            let path = dir.appendingPathComponent("live-\(round).jsonl").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let block = [1, 2, 3, 7, 64, 1 << 20][round % 6]
            // Each line (as the merge hands it on: without its `\r`) and a few that are not in the file.
            var wanted = lines.map { $0.last == 13 ? Array($0.dropLast()) : $0 }
            wanted += [Array("zz".utf8), [], Array("ab".utf8)]
            for w in wanted {
                var expected: Int?
                for (i, line) in lines.enumerated() where (line.last == 13 ? Array(line.dropLast()) : line) == w {
                    expected = i + 1
                    break
                }
                let found = w.withUnsafeBufferPointer {
                    LineLocator.lineNumber(of: $0, inFile: path, blockBytes: block)
                }
                #expect(found == expected, "round \(round), block \(block), line \(String(decoding: w, as: UTF8.self))")
            }
        }
    }
}
