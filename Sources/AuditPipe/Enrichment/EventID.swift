import Crypto

/// Derives stable event ids: the first 128 bits of SHA-256 over the request id, start time and part, so a
/// re-run gives the same id and archives can de-duplicate, and a crafted id cannot collide with another.
public enum EventID {
    /// The id of a correlated event (or of an uncorrelated record, keyed by its file name and line).
    public static func make(requestID: String?, start: Int64, part: Int32, sourceName: String, line: Int64) -> String {
        // The bytes of "r\0<id>\0<start>\0<part>" (or "u\0<file>\0<line>\0<start>"), built without formatting.
        var key: [UInt8] = []
        key.reserveCapacity(96)
        if let requestID {
            key.append(UInt8(ascii: "r"))
            key.append(0)
            key.append(contentsOf: requestID.utf8)
            key.append(0)
            appendDecimal(start, to: &key)
            key.append(0)
            appendDecimal(Int64(part), to: &key)
        } else {
            key.append(UInt8(ascii: "u"))
            key.append(0)
            key.append(contentsOf: sourceName.utf8)
            key.append(0)
            appendDecimal(line, to: &key)
            key.append(0)
            appendDecimal(start, to: &key)
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
        var digits: [UInt8] = []
        repeat {
            digits.append(UInt8(m % 10) + 48)
            m /= 10
        } while m > 0
        out.append(contentsOf: digits.reversed())
    }
}
