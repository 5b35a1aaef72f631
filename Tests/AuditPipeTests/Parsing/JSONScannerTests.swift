import Testing

@testable import AuditPipe

/// `JSONScanner.scanString` skips eight plain bytes at a time: its spans and errors must be those of the
/// byte-at-a-time scan it replaced, wherever the quote, backslash, control or non-ASCII bytes fall within
/// or across an eight-byte word, and wherever the text ends. Only JSON's escapes are strings; numbers are JSON's.
struct JSONScannerTests {
    /// The byte-at-a-time scan (the code before the word scan): the oracle.
    static func reference(_ b: [UInt8], from start: Int) -> Result<
        (end: Int, escaped: Bool, next: Int), JSONSyntaxError
    > {
        guard start < b.count, b[start] == 0x22 else {
            return .failure(JSONSyntaxError(reason: "expected a string", column: start))
        }
        var pos = start + 1
        var escaped = false
        while pos < b.count {
            let c = b[pos]
            if c == 0x22 { return .success((pos, escaped, pos + 1)) }
            if c == 0x5C {
                escaped = true
                guard pos + 1 < b.count else { break }
                let e = b[pos + 1]
                if Array(#""\/bfnrt"#.utf8).contains(e) {
                    pos += 2
                } else if e == UInt8(ascii: "u") {
                    let hex =
                        pos + 6 <= b.count
                        && b[(pos + 2)..<(pos + 6)].allSatisfy { Character(Unicode.Scalar($0)).isHexDigit }
                    guard hex else {
                        return .failure(JSONSyntaxError(reason: "invalid \\u escape in string", column: pos))
                    }
                    pos += 6
                } else {
                    return .failure(JSONSyntaxError(reason: "invalid escape in string", column: pos))
                }
                continue
            }
            if c < 0x20 { return .failure(JSONSyntaxError(reason: "control character in string", column: pos)) }
            pos += 1
        }
        return .failure(JSONSyntaxError(reason: "unterminated string", column: start))
    }

    static func scan(_ b: [UInt8], from start: Int) -> Result<(end: Int, escaped: Bool, next: Int), JSONSyntaxError> {
        b.withUnsafeBufferPointer { buf in
            var s = JSONScanner(buf, maxDepth: 8)
            s.pos = start
            do throws(JSONSyntaxError) {
                let span = try s.scanString()
                #expect(span.start == start + 1)
                return .success((span.end, span.escaped, s.pos))
            } catch {
                return .failure(error)
            }
        }
    }

    @Test func theWordScanAgreesWithTheByteScanOnRandomStrings() {
        var rng = SplitMix64(seed: 13)
        // Mostly plain bytes, with every kind of stop byte and the bytes next to their ranges.
        let rare: [UInt8] = [
            0x22, 0x5C, 0x00, 0x09, 0x0A, 0x1F, 0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x80, 0x9F, 0xA0, 0xC3, 0xFF,
        ]
        var checked = 0
        for _ in 0..<20_000 {
            let length = Int(rng.next() % 40)
            var bytes: [UInt8] = [0x22]
            // Escapes JSON has, cut ones and ones it has not.
            let escapes = [
                #"\n"#, #"\""#, #"\\"#, #"\/"#, #"\u00e9"#, #"\uD83D\uDE00"#, #"\u12"#, #"\x41"#, #"\q"#, #"\u12G4"#,
            ]
            for _ in 0..<length {
                if rng.next() % 12 == 0 {
                    bytes += Array(escapes[Int(rng.next() % UInt64(escapes.count))].utf8)
                } else if rng.next() % 6 == 0 {
                    bytes.append(rare[Int(rng.next() % UInt64(rare.count))])
                } else {
                    bytes.append(UInt8(0x20 + rng.next() % 0x5F))
                }
            }
            // Some strings are closed, some run to the end; some have text after them.
            if rng.next() % 4 != 0 { bytes.append(0x22) }
            if rng.next() % 2 == 0 { bytes += Array(#", "k": 1}"#.utf8) }
            let lead = Int(rng.next() % 9)
            let line = Array(repeating: UInt8(0x20), count: lead) + bytes
            let want = Self.reference(line, from: lead)
            let got = Self.scan(line, from: lead)
            switch (want, got) {
            case (.success(let w), .success(let g)):
                #expect(w.end == g.end && w.escaped == g.escaped && w.next == g.next, "\(line)")
            case (.failure(let w), .failure(let g)):
                #expect(w == g, "\(line)")
            default:
                Issue.record("reference \(want) vs scan \(got) on \(line)")
            }
            checked += 1
        }
        #expect(checked == 20_000)
    }

    @Test func eachStopByteIsFoundAtEveryPlaceInAWord() {
        for stop: UInt8 in [0x22, 0x5C, 0x00, 0x1F] {
            for at in 0..<24 {
                var line: [UInt8] = [0x22] + Array(repeating: UInt8(ascii: "a"), count: 24)
                line[1 + at] = stop
                if stop == 0x5C, at < 23 { line[2 + at] = UInt8(ascii: "n") }
                line.append(0x22)
                let want = Self.reference(line, from: 0)
                let got = Self.scan(line, from: 0)
                switch (want, got) {
                case (.success(let w), .success(let g)): #expect(w.end == g.end && w.escaped == g.escaped)
                case (.failure(let w), .failure(let g)): #expect(w == g)
                default: Issue.record("stop \(stop) at \(at): reference \(want) vs scan \(got)")
                }
            }
        }
    }

    @Test func theStopMaskFlagsItsLowestStopExactly() {
        var rng = SplitMix64(seed: 29)
        for _ in 0..<50_000 {
            var w: UInt64 = 0
            var bytes: [UInt8] = []
            for k in 0..<8 {
                let b: UInt8 =
                    rng.next() % 3 == 0
                    ? [0x22, 0x5C, 0x00, 0x1F, 0x20, 0x80, 0xFF][Int(rng.next() % 7)] : UInt8(rng.next() & 0xFF)
                bytes.append(b)
                w |= UInt64(b) << (8 * UInt64(k))
            }
            let first = bytes.firstIndex { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 }
            let mask = JSONScanner.stopMask(w)
            if let first {
                #expect(mask.trailingZeroBitCount >> 3 == first, "\(bytes)")
            } else {
                #expect(mask == 0, "\(bytes)")
            }
        }
    }

    /// Escapes JSON does not have, and numbers with a leading zero, make the line no JSON (they were read, and the
    /// numbers written as read, so the output was no JSON either); JSON's own are read.
    @Test func onlyJSONEscapesAndNumbersAreRead() {
        func parse(_ text: String) -> Result<JSONValue, JSONSyntaxError> {
            Array(text.utf8).withUnsafeBufferPointer { buf in
                var s = JSONScanner(buf, maxDepth: 8)
                do throws(JSONSyntaxError) {
                    let v = try s.parseValue(depth: 0)
                    return s.pos == buf.count ? .success(v) : .failure(s.fail("trailing text"))
                } catch {
                    return .failure(error)
                }
            }
        }
        for bad in [
            #""a\x41""#, #""\q""#, #""\u00""#, #""\u12G4""#, #""\'""#, "007", "-01", "00", "01.5", "-00.1e3", "[1,02]",
            #"{"a":007}"#,
        ] {
            if case .success(let v) = parse(bad) { Issue.record("\(bad) read as \(v)") }
        }
        let good: [(String, JSONValue)] = [
            (#""\"\\\/\b\f\n\r\t""#, .string("\"\\/\u{8}\u{C}\n\r\t")), (#""caf\u00e9""#, .string("café")),
            (#""\uD83D\uDE00""#, .string("😀")), ("0", .number("0")), ("-0", .number("-0")), ("0.5", .number("0.5")),
            ("-0e1", .number("-0e1")), ("10", .number("10")), ("-120.05E+3", .number("-120.05E+3")),
        ]
        for (text, value) in good {
            switch parse(text) {
            case .success(let v): #expect(v == value, "\(text)")
            case .failure(let e): Issue.record("\(text): \(e)")
            }
        }
    }
}
