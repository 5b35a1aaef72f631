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
        // built without formatting.
        var key: [UInt8] = []
        key.reserveCapacity(128)
        if let requestID {
            key.append(UInt8(ascii: "r"))
            key.append(0)
            key.append(contentsOf: requestID.utf8)
            key.append(0)
        } else {
            key.append(UInt8(ascii: "u"))
            key.append(0)
        }
        key.append(contentsOf: sourceName.utf8)
        key.append(0)
        appendDecimal(offset, to: &key)
        key.append(0)
        appendDecimal(start, to: &key)
        if requestID != nil {
            key.append(0)
            appendDecimal(Int64(part), to: &key)
        }
        let digest = key.withUnsafeBytes { SHA256.hash(data: $0) }
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

    /// `String(n)`'s bytes, appended.
    static func appendDecimal(_ n: Int64, to out: inout [UInt8]) {
        // The digits are made last first in a scratch of 24 bytes and appended at once: writing them into the
        // array one by one checked its uniqueness and bounds per digit (~440 instructions a number).
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &scratch) { p in
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
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[i..<24]))
        }
    }
}
