import Testing

@testable import AuditPipe

/// A parser hashes a request id once, from the bytes it read, and hands the hash to the record: the hash must be
/// exactly `RequestIDHash.of` the record's id, whichever way the id was written (plain, escaped, non-ASCII in
/// either normal form, a `traceparent`, a header, a logfmt value quoted or not), or the correlator would file
/// one request's records under two keys.
struct RequestIDHashOnceTests {
    @Test func everyRecordsHashIsItsIdsHash() {
        var rng = SplitMix64(seed: 2026)
        var parser = LineParser(options: ParseOptions())
        var checked = 0
        var byID: [String: UInt64] = [:]
        for n in 0..<4_000 {
            let id = Self.randomID(&rng)
            let line = Self.randomLine(id: id, &rng)
            var bytes = Array(line.utf8)
            let parsed = bytes.withUnsafeMutableBufferPointer {
                parser.parse(
                    UnsafeBufferPointer($0), position: SourcePosition(input: 0, line: Int64(n + 1), offset: 0),
                    fileService: nil)
            }
            guard case .record(let r, _, _) = parsed else {
                Issue.record("not a record: \(line)")
                continue
            }
            #expect(r.requestIDHash == RequestIDHash.of(r.requestID), "\(line)")
            if let got = r.requestID {
                checked += 1
                // Equal ids (as Swift compares them) hash alike however they were written.
                if let h = byID[got] { #expect(h == r.requestIDHash, "\(line)") }
                byID[got] = r.requestIDHash
            }
        }
        #expect(checked > 3_000)
    }

    /// An id of ASCII hex, short or long, or with `é` precomposed or decomposed (equal as Swift strings).
    static func randomID(_ rng: inout SplitMix64) -> String {
        let hex = Array("0123456789abcdef")
        let n = [4, 8, 15, 16, 17, 32, 36, 40][Int(rng.next() % 8)]
        var s = String((0..<n).map { _ in hex[Int(rng.next() % 16)] })
        switch rng.next() % 6 {
        case 0: s = "caf\u{E9}-" + String(s.prefix(6))
        case 1: s = "cafe\u{301}-" + String(s.prefix(6))
        default: break
        }
        return s
    }

    static func randomLine(id: String, _ rng: inout SplitMix64) -> String {
        let hexOnly = id.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
        switch rng.next() % 7 {
        case 0: return #"{"msg":"a","request_id":"\#(id)"}"#
        case 1:
            // Escaped: the id's first character as `\u00XX` (or the whole id when it is not ASCII).
            let escaped = id.unicodeScalars.map { $0.value < 0x80 ? String($0) : escapeBMP($0.value) }.joined()
            return #"{"msg":"a","requestId":"\u00\#(String(id.utf8.first!, radix: 16))\#(escaped.dropFirst())"}"#
        case 2:
            guard hexOnly, id.count == 32 else { return #"{"msg":"b","x_request_id":"\#(id)"}"# }
            return #"{"msg":"c","traceparent":"00-\#(id)-1bca4dfb80f66c3d-01"}"#
        case 3: return #"{"method":"GET","path":"/a","status":200,"headers":{"X-Request-ID":"\#(id)"}}"#
        case 4: return "level=info msg=x request_id=\(id)"
        case 5: return "level=info msg=x request_id=\"\(id)\""
        default: return #"{"msg":"d","request_id":"-"}"#
        }
    }
}

/// `\uXXXX` for a BMP scalar.
private func escapeBMP(_ v: UInt32) -> String {
    let h = String(v, radix: 16)
    return "\\u" + String(repeating: "0", count: max(0, 4 - h.count)) + h
}
