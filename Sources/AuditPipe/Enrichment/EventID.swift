import Crypto

/// Derives stable event ids: the first 128 bits of SHA-256 over the request id, start time and part, so a
/// re-run gives the same id and archives can de-duplicate, and a crafted id cannot collide with another.
public enum EventID {
    /// The id of a correlated event (or of an uncorrelated record, keyed by its file name and line).
    public static func make(requestID: String?, start: Int64, part: Int32, sourceName: String, line: Int64) -> String {
        var key =
            requestID.map { "r\u{0}\($0)\u{0}\(start)\u{0}\(part)" } ?? "u\u{0}\(sourceName)\u{0}\(line)\u{0}\(start)"
        let digest = key.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
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
}
