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
        var out: [UInt8] = []
        out.reserveCapacity(32)
        hex.withUTF8Buffer { h in
            for (i, byte) in digest.enumerated() where i < 16 {
                out.append(h[Int(byte >> 4)])
                out.append(h[Int(byte & 15)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `String(n)`'s bytes, appended.
    static func appendDecimal(_ n: Int64, to out: inout [UInt8]) {
        if n < 0 { out.append(UInt8(ascii: "-")) }
        var m = n.magnitude
        var width = 1
        var rest = m
        while rest >= 10 {
            rest /= 10
            width += 1
        }
        // The digits are written in place, last first: no array of digits per number.
        var at = out.count + width
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width))
        repeat {
            at -= 1
            out[at] = UInt8(m % 10) + 48
            m /= 10
        } while m > 0
    }
}
