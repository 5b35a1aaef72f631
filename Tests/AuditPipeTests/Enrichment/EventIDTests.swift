import Crypto
import Foundation
import Testing

@testable import AuditPipe

/// Event ids are the archive's de-duplication key: the key bytes they hash must stay exactly
/// "r\0<id>\0<file>\0<offset>\0<start>\0<part>" with numbers written as `String(n)` writes them.
struct EventIDTests {
    @Test func decimalsAreWrittenAsStringWritesThem() {
        var rng = SplitMix64(seed: 41)
        var values: [Int64] = [0, 1, -1, 9, 10, -10, 99, 100, .max, .min, .max - 1, .min + 1]
        for _ in 0..<20_000 {
            let v = Int64(bitPattern: rng.next())
            values.append(v >> (rng.next() % 64))
        }
        var out = [UInt8](repeating: 7, count: 24)
        for v in values {
            let n = out.withUnsafeMutableBufferPointer { EventID.writeDecimal(v, to: $0.baseAddress! + 2) }
            #expect(Array(out[2..<(2 + n)]) == Array(String(v).utf8), "\(v)")
            #expect(out[0] == 7 && out[1] == 7)
        }
    }

    /// Random ids (empty, long, non-ASCII), file names and numbers: the id is always the SHA-256 of the key
    /// written with `String` formatting.
    @Test func everyIdHashesItsFormattedKey() {
        var rng = SplitMix64(seed: 43)
        let pieces = ["", "a", "req-1", "caf\u{E9}", "\u{1F600}x", String(repeating: "z", count: 300), "d/e.log"]
        for _ in 0..<2_000 {
            let id: String? = rng.next() % 4 == 0 ? nil : pieces[Int(rng.next() % 7)] + String(rng.next() % 1000)
            let name = pieces[Int(rng.next() % 7)]
            let offset = Int64(bitPattern: rng.next()) >> (rng.next() % 64)
            let start = Int64(bitPattern: rng.next()) >> (rng.next() % 64)
            let part = Int32(truncatingIfNeeded: Int64(bitPattern: rng.next()) >> (rng.next() % 64))
            let key =
                id.map { "r\0\($0)\0\(name)\0\(offset)\0\(start)\0\(part)" } ?? "u\0\(name)\0\(offset)\0\(start)"
            let want = SHA256.hash(data: Array(key.utf8)).prefix(16).map { String(format2Hex: $0) }.joined()
            #expect(EventID.make(requestID: id, sourceName: name, offset: offset, start: start, part: part) == want)
        }
    }

    @Test func anIdIsTheFirstHalfOfTheSHA256OfItsKey() {
        let key = Array("r\0req-1\0api.log\01234\0-5\02".utf8)
        let digest = SHA256.hash(data: key)
        let want = digest.prefix(16).map { String(format2Hex: $0) }.joined()
        #expect(EventID.make(requestID: "req-1", sourceName: "api.log", offset: 1234, start: -5, part: 2) == want)
        let uncorrelated = Array("u\0api.log\00\0\(Int64.max)".utf8)
        let want2 = SHA256.hash(data: uncorrelated).prefix(16).map { String(format2Hex: $0) }.joined()
        #expect(EventID.make(requestID: nil, sourceName: "api.log", offset: 0, start: .max, part: 0) == want2)
    }
}

extension String {
    fileprivate init(format2Hex b: UInt8) {
        let s = String(b, radix: 16)
        self = s.count == 1 ? "0" + s : s
    }
}

/// `Enricher.lastComponent` (the event id's source name) against the `Character` split it replaced, on
/// random names built from slashes, ASCII, accented letters and a combining mark that can fuse with a slash.
struct SourceNameTests {
    @Test func lastComponentAgreesWithTheCharacterSplit() {
        var rng = SplitMix64(seed: 21)
        let pieces = ["/", "//", "a", "dump", ".log", "é", "\u{301}", "-", " ", "日本"]
        for _ in 0..<20_000 {
            var name = ""
            for _ in 0..<Int(rng.next() % 8) { name += pieces[Int(rng.next() % UInt64(pieces.count))] }
            let expected = name.split(separator: "/").last.map(String.init) ?? ""
            #expect(Enricher.lastComponent(name) == expected, "\(name.debugDescription)")
        }
    }
}

/// A log and its gzipped copy hold the same records, so their events have the same ids: archived both (a dump
/// correlated, then correlated again after `gzip`), each request is kept once. Before, the `.gz` ending was part
/// of the name an id hashes and every event was archived twice (a new-user trial).
struct GzipEventIDTests {
    @Test func aLogAndItsGzippedCopyGiveTheSameEventIDs() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let dump = try AuditPipeBinary.run(["demo", "--requests", "200", "--seed", "5"]).stdout
        try dump.write(to: dir.appendingPathComponent("app.log"))
        let zip = Process()
        zip.executableURL = URL(fileURLWithPath: "/bin/sh")
        zip.arguments = ["-c", "gzip -c app.log > copy/app.log.gz"]
        zip.currentDirectoryURL = dir
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("copy"), withIntermediateDirectories: true)
        try zip.run()
        zip.waitUntilExit()
        let plain = try AuditPipeBinary.run(["correlate", "app.log", "-q"], in: dir)
        let zipped = try AuditPipeBinary.run(["correlate", "copy/app.log.gz", "-q"], in: dir)
        #expect(plain.status == 0 && zipped.status == 0)
        #expect(!plain.stdout.isEmpty)
        #expect(plain.stdout == zipped.stdout)
        #expect(Enricher.idName("dir/app.log.gz") == "app.log")
        #expect(Enricher.idName(".gz") == ".gz")
        #expect(Enricher.idName("app.log.GZ") == "app.log")
        #expect(Enricher.idName("a.gz/b.log") == "b.log")
    }
}
