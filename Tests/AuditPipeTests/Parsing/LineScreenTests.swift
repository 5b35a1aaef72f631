import Testing

@testable import AuditPipe

/// `LineParser.screen` skips clean bytes a word (and four words) at a time: it must find exactly what a byte by
/// byte look finds — the first control byte other than a tab, else whether any byte is not ASCII.
struct LineScreenTests {
    static func reference(_ b: [UInt8]) -> String {
        var ascii = true
        for (i, c) in b.enumerated() {
            if c < 0x20 && c != 0x09 { return "control \(i)" }
            if c >= 0x80 { ascii = false }
        }
        return ascii ? "clean" : "nonASCII"
    }

    static func describe(_ s: LineParser.Screen) -> String {
        switch s {
        case .clean: "clean"
        case .nonASCII: "nonASCII"
        case .control(let i): "control \(i)"
        }
    }

    @Test func findsWhatAByteByByteLookFinds() {
        var rng = SplitMix64(seed: 77)
        for round in 0..<30_000 {
            let n = Int(rng.next() % 140)
            var b = (0..<n).map { _ in UInt8(0x20 + rng.next() % 0x5F) }
            // A few odd bytes at random places, often none: controls, tabs, DEL, UTF-8 lead and continuation bytes.
            for _ in 0..<Int(rng.next() % 3) where n > 0 {
                let odd: [UInt8] = [0x00, 0x09, 0x0A, 0x1B, 0x1F, 0x7F, 0x80, 0xC3, 0xA9, 0xFF]
                b[Int(rng.next() % UInt64(n))] = odd[Int(rng.next() % UInt64(odd.count))]
            }
            let got = b.withUnsafeBufferPointer { LineParser.screen($0) }
            #expect(Self.describe(got) == Self.reference(b), "round \(round): \(b)")
        }
    }
}
