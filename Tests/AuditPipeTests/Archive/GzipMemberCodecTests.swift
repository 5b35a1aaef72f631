import Testing

@testable import AuditPipe

/// The archive's members are made by libdeflate and read by zlib (`verify`, `query`, `zcat`): each member must
/// inflate back through both, and the codec's own check must refuse a member that does not give its input back.
struct GzipMemberCodecTests {
    /// Random chunks: empty, a byte, text-like and random bytes, up to 300 KB.
    static func chunks(seed: UInt64, count: Int) -> [[UInt8]] {
        var rng = SplitMix64(seed: seed)
        var out: [[UInt8]] = [[], [0x41]]
        let words = Array("{\"event_id\":\"request alice GET /api/v1/orders/42 200\"}\n".utf8)
        for _ in 0..<count {
            let n = Int(rng.next() % 300_000)
            if rng.next() % 2 == 0 {
                out.append((0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
            } else {
                out.append((0..<n).map { i in rng.next() % 50 == 0 ? UInt8(rng.next() % 256) : words[i % words.count] })
            }
        }
        return out
    }

    @Test func everyMemberInflatesBackThroughLibdeflateAndZlib() throws {
        for level in [1, 6, 9] as [Int32] {
            let codec = try GzipMemberCodec(level: level)
            var file: [UInt8] = []
            var whole: [UInt8] = []
            for chunk in Self.chunks(seed: UInt64(level), count: 12) {
                let member = chunk.withUnsafeBufferPointer { codec.member($0) }
                #expect(Array(member.prefix(3)) == [0x1F, 0x8B, 8])
                var back = [UInt8](repeating: 0, count: chunk.count)
                let problem = member.withUnsafeBufferPointer { m in
                    back.withUnsafeMutableBufferPointer { codec.inflate(m, into: $0) }
                }
                #expect(problem == nil && back == chunk, "level \(level), \(chunk.count) bytes: \(problem ?? "")")
                let viaZlib = try GzipMembers.inflate(member, name: "member", expectedSize: chunk.count)
                #expect(viaZlib == chunk, "level \(level), \(chunk.count) bytes through zlib")
                file += member
                whole += chunk
            }
            // The members end to end are one gzip file to zlib.
            #expect(try GzipMembers.inflate(file, name: "file") == whole)
        }
    }

    @Test func aMemberThatDoesNotGiveItsInputBackIsRefused() throws {
        let codec = try GzipMemberCodec(level: 6)
        let chunk = Self.chunks(seed: 9, count: 3).last!
        let member = chunk.withUnsafeBufferPointer { codec.member($0) }
        func check(_ m: [UInt8], size: Int) -> String? {
            var out = [UInt8](repeating: 0, count: size)
            return m.withUnsafeBufferPointer { p in out.withUnsafeMutableBufferPointer { codec.inflate(p, into: $0) } }
        }
        #expect(check(member, size: chunk.count) == nil)
        // A byte flipped in the deflate data, in the CRC-32, in the length.
        for at in [member.count / 2, member.count - 6, member.count - 2] {
            var damaged = member
            damaged[at] ^= 0x20
            #expect(check(damaged, size: chunk.count) != nil, "byte \(at) flipped")
        }
        #expect(check(member + [0], size: chunk.count)?.contains("after the member's end") == true)
        #expect(check(member, size: chunk.count + 1) != nil)
        #expect(check(member, size: chunk.count - 1) != nil)
        #expect(check(Array(member.dropLast()), size: chunk.count) != nil)
        #expect(throws: OutputError.self) { try GzipMemberCodec(level: 0) }
        #expect(throws: OutputError.self) { try GzipMemberCodec(level: 10) }
    }
}
