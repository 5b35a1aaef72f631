import Testing

@testable import AuditPipe

/// The RFC 3339 writer every sink uses for `start`, `end` and record times: the fixed-place writer against the
/// digit-by-digit one, and both against the time they stand for.
struct UTCTimeTests {
    private static func text(_ ns: Int64, anyYear: Bool = false) -> String {
        var out = [UInt8](repeating: 0, count: 40)
        let n = out.withUnsafeMutableBufferPointer {
            anyYear ? Self.digitByDigit(ns, to: $0) : UTCTime.writeRFC3339Millis(ns, to: $0)
        }
        return String(decoding: out[..<n], as: UTF8.self)
    }

    /// The writer before fields were written at fixed places (one digit at a time, any year): the oracle.
    private static func digitByDigit(_ ns: Int64, to out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let (secs, frac) = ns.quotientAndRemainderFlooring(dividingBy: UTCTime.second)
        let (days, sod) = secs.quotientAndRemainderFlooring(dividingBy: 86_400)
        let (y, m, d) = UTCTime.civil(days: days)
        var at = 0
        func put(_ c: UInt8) {
            out[at] = c
            at += 1
        }
        func digits(_ value: Int, _ width: Int) {
            var v = value
            if v < 0 {
                put(UInt8(ascii: "-"))
                v = -v
            }
            var count = 1
            var rest = v / 10
            while rest > 0 {
                count += 1
                rest /= 10
            }
            count = Swift.max(count, width)
            var i = at + count
            at = i
            while i > at - count {
                i -= 1
                out[i] = UInt8(48 + v % 10)
                v /= 10
            }
        }
        digits(y, 4)
        put(UInt8(ascii: "-"))
        digits(m, 2)
        put(UInt8(ascii: "-"))
        digits(d, 2)
        put(UInt8(ascii: "T"))
        digits(Int(sod / 3600), 2)
        put(UInt8(ascii: ":"))
        digits(Int(sod / 60 % 60), 2)
        put(UInt8(ascii: ":"))
        digits(Int(sod % 60), 2)
        put(UInt8(ascii: "."))
        digits(Int(frac / 1_000_000), 3)
        put(UInt8(ascii: "Z"))
        return at
    }

    /// The milliseconds since the epoch that `YYYY-MM-DDThh:mm:ss.mmmZ` names, read back by fields.
    private static func millis(_ s: String) -> Int64? {
        let b = Array(s.utf8)
        guard b.count == 24, b[4] == 45, b[7] == 45, b[10] == 84, b[13] == 58, b[16] == 58, b[19] == 46,
            b[23] == 90
        else { return nil }
        func num(_ r: Range<Int>) -> Int { Int(String(decoding: b[r], as: UTF8.self))! }
        let days = UTCTime.days(year: num(0..<4), month: num(5..<7), day: num(8..<10))
        let sod = num(11..<13) * 3600 + num(14..<16) * 60 + num(17..<19)
        return (days * 86_400 + Int64(sod)) * 1000 + Int64(num(20..<23))
    }

    /// Every `Int64` of nanoseconds is in years 1677–2262: all four digits, all written at fixed places.
    @Test func fixedPlacesMatchTheDigitByDigitWriterAndTheirTime() {
        var rng = SplitMix64(seed: 61)
        var values: [Int64] = [0, -1, 1, 999_999, 1_000_000, .min, .max, .min + 1, .max - 1, 1_795_255_200_025_886_000]
        for _ in 0..<30_000 {
            let v = Int64(bitPattern: rng.next())
            values.append(v >> (rng.next() % 8))
        }
        for ns in values {
            let fast = Self.text(ns)
            #expect(fast == Self.text(ns, anyYear: true), "\(ns)")
            #expect(fast.utf8.count == 24, "\(ns): \(fast)")
            let (ms, _) = ns.quotientAndRemainderFlooring(dividingBy: 1_000_000)
            #expect(Self.millis(fast) == ms, "\(ns): \(fast)")
        }
    }

    @Test func knownInstants() {
        #expect(Self.text(0) == "1970-01-01T00:00:00.000Z")
        #expect(Self.text(-1) == "1969-12-31T23:59:59.999Z")
        #expect(Self.text(1_795_255_200_025_886_000) == "2026-11-21T10:00:00.025Z")
        #expect(Self.text(951_782_400_000_000_000 - 1) == "2000-02-28T23:59:59.999Z")
        #expect(Self.text(951_868_799_999_000_000) == "2000-02-29T23:59:59.999Z")
        #expect(Self.text(.min) == "1677-09-21T00:12:43.145Z")
        #expect(Self.text(.max) == "2262-04-11T23:47:16.854Z")
    }
}
