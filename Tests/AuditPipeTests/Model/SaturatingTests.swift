import Testing

@testable import AuditPipe

/// `plus(saturating:)`, `minus(saturating:)` and `gap(to:)` against exact `Int128` arithmetic, on random
/// values weighted towards the ends of the range (where log times near 1677 and 2262 live).
struct SaturatingTests {
    static func value(_ rng: inout SplitMix64) -> Int64 {
        let edges: [Int64] = [.min, .min + 1, -1, 0, 1, .max - 1, .max, 3600 * UTCTime.second]
        switch rng.next() % 4 {
        case 0: return edges[Int(rng.next() % UInt64(edges.count))]
        case 1: return .max - Int64(rng.next() % 1_000_000_000_000)
        case 2: return .min + Int64(rng.next() % 1_000_000_000_000)
        default: return Int64(bitPattern: rng.next())
        }
    }

    static func clamped(_ x: Int128) -> Int64 { Int64(clamping: x) }

    @Test func agreesWithExactArithmetic() {
        var rng = SplitMix64(seed: 13)
        for _ in 0..<100_000 {
            let a = Self.value(&rng)
            let b = Self.value(&rng)
            #expect(a.plus(saturating: b) == Self.clamped(Int128(a) + Int128(b)), "\(a) + \(b)")
            #expect(a.minus(saturating: b) == Self.clamped(Int128(a) - Int128(b)), "\(a) - \(b)")
            let gap = Int128(a) - Int128(b)
            #expect(a.gap(to: b) == UInt64(gap < 0 ? -gap : gap), "|\(a) - \(b)|")
        }
    }
}
