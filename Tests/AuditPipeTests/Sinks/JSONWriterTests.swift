import Foundation
import Testing

@testable import AuditPipe

/// `JSONWriter.string(bytes:)` skips eight plain bytes at a time: what it writes must be what escaping byte by
/// byte writes, wherever the quotes, backslashes and control bytes fall, and must read back as the input.
struct JSONWriterTests {
    /// Byte-by-byte escaping (the writer before the word scan): the oracle.
    static func reference(_ s: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x22]
        let hex = Array("0123456789abcdef".utf8)
        for c in s {
            switch c {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += Array(#"\n"#.utf8)
            case 0x0D: out += Array(#"\r"#.utf8)
            case 0x09: out += Array(#"\t"#.utf8)
            case 0x08: out += Array(#"\b"#.utf8)
            case 0x0C: out += Array(#"\f"#.utf8)
            case 0..<0x20: out += Array(#"\u00"#.utf8) + [hex[Int(c >> 4)], hex[Int(c & 15)]]
            default: out.append(c)
            }
        }
        out.append(0x22)
        return out
    }

    @Test func theWordScanEscapesAsTheByteScanDoes() throws {
        var rng = SplitMix64(seed: 71)
        let rare: [UInt8] = [0x22, 0x5C, 0x00, 0x01, 0x08, 0x09, 0x0A, 0x0C, 0x0D, 0x1F, 0x20, 0x7F]
        for _ in 0..<20_000 {
            var s: [UInt8] = []
            for _ in 0..<Int(rng.next() % 48) {
                if rng.next() % 5 == 0 {
                    s.append(rare[Int(rng.next() % UInt64(rare.count))])
                } else if rng.next() % 9 == 0 {
                    s += Array("é€".utf8)
                } else {
                    s.append(UInt8(0x20 + rng.next() % 0x5F))
                }
            }
            var w = JSONWriter(capacity: 16)
            w.raw("[")
            s.withUnsafeBufferPointer { w.string(bytes: $0) }
            #expect(Array(w.bytes.dropFirst()) == Self.reference(s), "\(s)")
            w.raw("]")
            let back = try JSONSerialization.jsonObject(with: Data(w.bytes)) as? [String]
            #expect(back == [String(decoding: s, as: UTF8.self)])
        }
    }
}
