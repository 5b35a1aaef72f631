import Testing

@testable import AuditPipe

/// The short-key role table against the hash table it stands in for: every field name, names one byte off, their
/// prefixes and extensions, and random keys of 1 to 20 bytes, looked up alone and where they lie in a line (the
/// masked word read past the key) give the role `ByteKeyTable` gives.
struct ShortKeyRolesTests {
    @Test func givesTheHashTablesRoleForEveryKey() {
        let roles = FieldRoleTable(idFields: defaultRequestIDFields, captureFields: ["user.name", "region"])
        var rng = SplitMix64(seed: 35)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz_.-@ABIRTU0189é".utf8)
        var probes: [[UInt8]] = []
        let names = [
            "ts", "time", "level", "msg", "request_id", "requestId", "user", "user_id", "ip", "method", "path",
            "status", "headers", "body", "service", "traceparent", "timestamp", "http.method", "duration_ms",
            "userIdentity.userName", "requestReceivedTimestamp", "x-forwarded-for", "client_ip", "remoteAddress",
        ]
        for name in names {
            let k = Array(name.utf8)
            probes += [k, Array(k.dropLast()), k + [0x73], Array(k.dropFirst())]
            for i in 0..<k.count {
                var near = k
                near[i] ^= 1
                probes.append(near)
            }
        }
        for _ in 0..<2000 {
            let n = 1 + Int(rng.next() % 20)
            probes.append((0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
        }
        for p in probes {
            let expected = p.withUnsafeBufferPointer { roles.table.lookup($0) }
            #expect(p.withUnsafeBufferPointer { roles.role($0) } == expected, "\(String(decoding: p, as: UTF8.self))")
            // As in a line: the key after a quote, followed by `":1}` (fewer than eight bytes after short keys).
            let line = [0x22] + p + Array("\":1}".utf8)
            let inLine = line.withUnsafeBufferPointer { roles.role(in: $0, at: 1, count: p.count) }
            #expect(inLine == expected, "in a line: \(String(decoding: p, as: UTF8.self))")
            let padded = line + Array("        ".utf8)
            let inPadded = padded.withUnsafeBufferPointer { roles.role(in: $0, at: 1, count: p.count) }
            #expect(inPadded == expected, "padded: \(String(decoding: p, as: UTF8.self))")
        }
    }
}
