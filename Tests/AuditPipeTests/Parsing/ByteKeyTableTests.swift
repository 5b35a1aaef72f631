import Testing

@testable import AuditPipe

/// The field-name table every JSON key is looked up in, against a `Dictionary` of the same keys: random keys of
/// every length around the word size (the hash reads eight bytes a step and the last one to seven as one word),
/// keys that differ in one byte, prefixes, the empty key, non-ASCII.
struct ByteKeyTableTests {
    @Test func findsExactlyTheStoredKeys() {
        var rng = SplitMix64(seed: 87)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz_.-ABZ0189é".utf8)
        func key(_ n: Int) -> [UInt8] { (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] } }
        for round in 0..<200 {
            var stored: [[UInt8]: Int] = [:]
            var pairs: [(String, Int)] = []
            for i in 0..<Int(rng.next() % 60) {
                let k = key(Int(rng.next() % 20))
                let s = String(decoding: k, as: UTF8.self)
                // The table keeps the first value of a repeated key, as a dictionary filled in order would.
                if stored[Array(s.utf8)] == nil { stored[Array(s.utf8)] = i }
                pairs.append((s, i))
            }
            let table = ByteKeyTable(pairs)
            var probes = Array(stored.keys)
            for k in stored.keys where !k.isEmpty {
                var near = k
                near[Int(rng.next() % UInt64(k.count))] ^= 1
                probes += [near, Array(k.dropLast()), k + [0x61]]
            }
            for _ in 0..<100 { probes.append(key(Int(rng.next() % 20))) }
            for p in probes {
                let found = p.withUnsafeBufferPointer { table.lookup($0) }
                #expect(found == stored[p], "round \(round): \(String(decoding: p, as: UTF8.self))")
            }
        }
    }
}
