import Crypto

/// Derives stable event ids: the first 128 bits of SHA-256 over the request id, the identity of the event's
/// first record (its input's file name and byte offset), its start and its part. Two events never share an
/// id — a late fragment that starts at its main event's start still has another first record — and a re-run
/// over the same bytes gives the same ids, so archives can de-duplicate; a crafted id cannot collide.
public enum EventID {
    /// The id of an event whose first record (earliest by time, then its file name's key, then offset) is at `offset` of the input named `sourceName`.
    public static func make(requestID: String?, sourceName: String, offset: Int64, start: Int64, part: Int32)
        -> String
    {
        // The bytes of "r\0<id>\0<file>\0<offset>\0<start>\0<part>" (or "u\0<file>\0<offset>\0<start>"),
        // written without formatting into stack storage (an array cost an allocation and a growth check per
        // append: ~1,000 instructions an event).
        let capacity = (requestID?.utf8.count ?? 0) + sourceName.utf8.count + 3 * 20 + 8
        let digest = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { key -> SHA256Digest in
            guard let base = key.baseAddress else { return SHA256.hash(data: [UInt8]()) }
            var n = 0
            if let requestID {
                base[0] = UInt8(ascii: "r")
                base[1] = 0
                n = 2
                n += copyUTF8(requestID, to: base + n)
            } else {
                base[0] = UInt8(ascii: "u")
                n = 1
            }
            base[n] = 0
            n += 1
            n += copyUTF8(sourceName, to: base + n)
            base[n] = 0
            n += 1
            n += writeDecimal(offset, to: base + n)
            base[n] = 0
            n += 1
            n += writeDecimal(start, to: base + n)
            if requestID != nil {
                base[n] = 0
                n += 1
                n += writeDecimal(Int64(part), to: base + n)
            }
            return SHA256.hash(data: UnsafeRawBufferPointer(start: base, count: n))
        }
        let hex: StaticString = "0123456789abcdef"
        return digest.withUnsafeBytes { d in
            String(unsafeUninitializedCapacity: 32) { out in
                hex.withUTF8Buffer { h in
                    for i in 0..<16 {
                        out[2 * i] = h[Int(d[i] >> 4)]
                        out[2 * i + 1] = h[Int(d[i] & 15)]
                    }
                }
                return 32
            }
        }
    }

    /// Copies `s`'s UTF-8 bytes to `to`; returns how many.
    private static func copyUTF8(_ s: String, to out: UnsafeMutablePointer<UInt8>) -> Int {
        s.withUTF8Bytes { b in
            guard let src = b.baseAddress else { return 0 }
            out.update(from: src, count: b.count)
            return b.count
        }
    }

    /// Writes `String(n)`'s bytes at `out` (at most 20); returns how many.
    static func writeDecimal(_ n: Int64, to out: UnsafeMutablePointer<UInt8>) -> Int {
        // The digits are made last first in a scratch of 24 bytes and copied at once.
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &scratch) { p in
            var m = n.magnitude
            var i = 24
            // Two digits a step: one wide division by 100, then the pair split by a division of a small number.
            while m >= 100 {
                let q = m / 100
                let r = UInt8(truncatingIfNeeded: m &- q &* 100)
                m = q
                i -= 2
                p[i] = r / 10 &+ 48
                p[i + 1] = r % 10 &+ 48
            }
            let r = UInt8(truncatingIfNeeded: m)
            if r >= 10 {
                i -= 2
                p[i] = r / 10 &+ 48
                p[i + 1] = r % 10 &+ 48
            } else {
                i -= 1
                p[i] = r &+ 48
            }
            if n < 0 {
                i -= 1
                p[i] = UInt8(ascii: "-")
            }
            UnsafeMutableRawPointer(out).copyMemory(from: p.baseAddress! + i, byteCount: 24 - i)
            return 24 - i
        }
    }
}
