import Testing

@testable import AuditPipe

/// The parse worker's table of recent values must give exactly the `String` that decoding the bytes gives,
/// whatever it held before: equal bytes share one value, other bytes (a collision, a repaired decoding) never do.
struct RecentStringsTests {
    @Test func everyValueIsWhatDecodingItsBytesGives() {
        var rng = SplitMix64(seed: 12)
        let table = RecentStrings()
        // A pool small enough that values repeat, large enough that slots are replaced; some bytes invalid UTF-8.
        var pool: [[UInt8]] = []
        for _ in 0..<3_000 {
            let n = Int(rng.next() % 60)
            var b = (0..<n).map { _ in UInt8(ascii: "a") + UInt8(rng.next() % 26) }
            if rng.next() % 10 == 0, n > 0 { b[Int(rng.next() % UInt64(n))] = 0xFF }
            if rng.next() % 10 == 0 { b += [0xE2, 0x82] }  // a cut sequence: decoding repairs it
            pool.append(b)
        }
        var hits = 0
        for _ in 0..<40_000 {
            let b = pool[Int(rng.next() % UInt64(pool.count))]
            let got = b.withUnsafeBufferPointer { table.string($0) }
            let want = String(decoding: b, as: UTF8.self)
            #expect(Array(got.utf8) == Array(want.utf8))
            let again = b.withUnsafeBufferPointer { table.string($0) }
            if b.count > 15, sameStorage(got, again) { hits += 1 }
        }
        #expect(hits > 10_000, "long values asked twice in a row share their storage")
    }

    @Test func aRepairedDecodingIsNeverTakenForTheBytes() {
        let table = RecentStrings()
        let bad: [UInt8] = Array("0123456789abcdef".utf8) + [0xFF]
        let repaired = bad.withUnsafeBufferPointer { table.string($0) }
        // The repaired text's own bytes are other bytes: asking for them gives them, not the cut ones.
        let its = Array(repaired.utf8)
        let got = its.withUnsafeBufferPointer { table.string($0) }
        #expect(Array(got.utf8) == its)
        let again = bad.withUnsafeBufferPointer { table.string($0) }
        #expect(Array(again.utf8) == Array(String(decoding: bad, as: UTF8.self).utf8))
    }

    /// The table keeps at most `slots` values of at most `maxLength` bytes alive: a line of huge distinct values
    /// (a crafted user agent of a megabyte each) is never kept, so a worker's table stays ~256 KiB.
    @Test func longValuesAreNotKept() {
        let table = RecentStrings()
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: RecentStrings.maxLength + 1)
        let a = long.withUnsafeBufferPointer { table.string($0) }
        let b = long.withUnsafeBufferPointer { table.string($0) }
        #expect(a == b && !sameStorage(a, b))
        let edge = [UInt8](repeating: UInt8(ascii: "y"), count: RecentStrings.maxLength)
        let c = edge.withUnsafeBufferPointer { table.string($0) }
        let d = edge.withUnsafeBufferPointer { table.string($0) }
        #expect(sameStorage(c, d))
    }

    private func sameStorage(_ a: String, _ b: String) -> Bool {
        let pa = a.utf8.withContiguousStorageIfAvailable { $0.baseAddress }
        let pb = b.utf8.withContiguousStorageIfAvailable { $0.baseAddress }
        return pa != nil && pa! == pb!
    }
}
