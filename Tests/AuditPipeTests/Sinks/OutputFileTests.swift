import Foundation
import Testing

@testable import AuditPipe

/// `OutputFile` writes a chunk as large as its buffer from where it lies, after what is buffered: whatever the
/// mix of chunk sizes (empty, small, at the threshold, far above it) and of the two `write` forms, the file
/// must hold every byte once, in the order written.
struct OutputFileTests {
    @Test func chunksOfAnySizeLandInOrder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("outputfile-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SplitMix64(seed: 2026)
        for round in 0..<40 {
            let threshold = [1, 7, 64, 4096][round % 4]
            let path = dir.appendingPathComponent("out-\(round)").path
            let file = try OutputFile(path: path, flushThreshold: threshold)
            var expected: [UInt8] = []
            for _ in 0..<Int(rng.next() % 60) {
                let size: Int
                switch rng.next() % 5 {
                case 0: size = 0
                case 1: size = threshold
                case 2: size = threshold - 1
                case 3: size = Int(rng.next() % UInt64(3 * threshold + 3))
                default: size = Int(rng.next() % 16)
                }
                let chunk = (0..<max(size, 0)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                expected += chunk
                if rng.next() % 2 == 0 {
                    try file.write(chunk)
                } else {
                    try chunk.withUnsafeBufferPointer { (b) throws(OutputError) in try file.write(b) }
                }
                if rng.next() % 11 == 0 { try file.flush() }
            }
            try file.close()
            let written = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            #expect(written == expected, "round \(round), threshold \(threshold)")
        }
    }
}
