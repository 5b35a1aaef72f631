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

/// The writer's own allocation (written through its pointer since the array appends cost ~150 instructions
/// each) against a plain byte array built the obvious way: random sequences of every writing call, random
/// capacities that force growth, copies of a writer written apart (value semantics), `removeAll` and `bytes`
/// set.
struct JSONWriterStorageTests {
    /// The obvious encoding of each call, appended to a plain array.
    struct Model {
        var bytes: [UInt8] = []

        mutating func value(_ v: JSONValue) {
            switch v {
            case .null: bytes += Array("null".utf8)
            case .bool(let b): bytes += Array((b ? "true" : "false").utf8)
            case .number(let n): bytes += Array(n.utf8)
            case .string(let s): bytes += JSONWriterTests.reference(Array(s.utf8))
            case .array(let items):
                bytes.append(UInt8(ascii: "["))
                for (i, item) in items.enumerated() {
                    if i > 0 { bytes.append(UInt8(ascii: ",")) }
                    value(item)
                }
                bytes.append(UInt8(ascii: "]"))
            case .object(let members):
                bytes.append(UInt8(ascii: "{"))
                for (i, m) in members.enumerated() {
                    if i > 0 { bytes.append(UInt8(ascii: ",")) }
                    bytes += JSONWriterTests.reference(Array(m.key.utf8)) + [UInt8(ascii: ":")]
                    value(m.value)
                }
                bytes.append(UInt8(ascii: "}"))
            }
        }
    }

    /// RFC 3339 with milliseconds by Foundation's calendar, the oracle for `time`.
    static func time(_ ns: Int64) -> [UInt8] {
        let (secs, frac) = ns.quotientAndRemainderFlooring(dividingBy: 1_000_000_000)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: Double(secs)))
        let text = String(
            format: "\"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ\"", c.year!, c.month!, c.day!, c.hour!, c.minute!,
            c.second!, Int(frac / 1_000_000))
        return Array(text.utf8)
    }

    static func randomValue(_ rng: inout SplitMix64, depth: Int = 0) -> JSONValue {
        let texts = ["", "a", "é\"\\\n", "plain text value", "\u{1}\u{1F}", "€uro"]
        switch rng.next() % (depth > 2 ? 4 : 6) {
        case 0: return .null
        case 1: return .bool(rng.next() % 2 == 0)
        case 2: return .number(String(Int64(bitPattern: rng.next()) % 100_000))
        case 3: return .string(texts[Int(rng.next() % UInt64(texts.count))])
        case 4: return .array((0..<Int(rng.next() % 4)).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            return .object(
                (0..<Int(rng.next() % 4)).map { i in
                    JSONMember(texts[(i + Int(rng.next() % 6)) % texts.count], randomValue(&rng, depth: depth + 1))
                })
        }
    }

    @Test func writesWhatAPlainArrayWouldHold() {
        var rng = SplitMix64(seed: 36)
        for round in 0..<400 {
            var writers = [JSONWriter(capacity: Int(rng.next() % 40))]
            var models = [Model()]
            for _ in 0..<Int(rng.next() % 120) {
                let k = Int(rng.next() % UInt64(writers.count))
                switch rng.next() % 12 {
                case 0:
                    writers[k].raw(",\"x\":")
                    models[k].bytes += Array(",\"x\":".utf8)
                case 1:
                    writers[k].key("user_agent")
                    models[k].bytes += Array("\"user_agent\":".utf8)
                case 2:
                    let v = Self.randomValue(&rng)
                    writers[k].value(v)
                    models[k].value(v)
                case 3:
                    let n = Int(truncatingIfNeeded: rng.next()) >> Int(rng.next() % 64)
                    writers[k].int(n)
                    models[k].bytes += Array(String(n).utf8)
                case 4:
                    writers[k].intOrNull(nil)
                    models[k].bytes += Array("null".utf8)
                case 5:
                    let ns = Int64(bitPattern: rng.next() % 8_000_000_000_000_000_000)
                    let t = rng.next() % 2 == 0 ? ns : -ns / 3
                    writers[k].time(t)
                    models[k].bytes += Self.time(t)
                case 6:
                    let s = String(repeating: "long \"text\" ", count: Int(rng.next() % 300))
                    writers[k].string(s)
                    models[k].bytes += JSONWriterTests.reference(Array(s.utf8))
                case 7:
                    let b = UInt8(truncatingIfNeeded: rng.next())
                    writers[k].append(b)
                    models[k].bytes.append(b)
                case 8:
                    let chunk = Array(repeating: UInt8(ascii: "z"), count: Int(rng.next() % 5_000))
                    writers[k].append(contentsOf: chunk[...])
                    models[k].bytes += chunk
                case 9:
                    // A copy written apart from its original.
                    writers.append(writers[k])
                    models.append(models[k])
                case 10:
                    writers[k].removeAll()
                    models[k].bytes.removeAll()
                default:
                    let text = Array("set \(round)".utf8)
                    writers[k].bytes = text
                    models[k].bytes = text
                }
            }
            for (w, m) in zip(writers, models) {
                // Compared apart from the expectation, so a failure names the round, not ten thousand bytes.
                let same = w.bytes == m.bytes && w.count == m.bytes.count && w.withBytes { Array($0) } == m.bytes
                #expect(same, "round \(round): \(w.count) bytes written, \(m.bytes.count) expected")
            }
        }
    }
}
