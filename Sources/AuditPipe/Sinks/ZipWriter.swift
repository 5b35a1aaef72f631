import CZlib

/// A zip container built in memory: entries deflated through zlib, CRC-32 from zlib, fixed timestamps
/// (1980-01-01) so the same content gives the same bytes.
struct ZipWriter {
    private var bytes: [UInt8] = []
    private var central: [UInt8] = []
    private var count = 0

    /// Adds a file.
    mutating func add(_ name: String, _ content: [UInt8]) throws(OutputError) {
        let deflater = try GzipCompressor(level: 6, raw: true)
        let packed = deflater.compress(content) + deflater.finish()
        let crc = content.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
        let nameBytes = Array(name.utf8)
        let offset = UInt32(bytes.count)
        // local file header
        le32(&bytes, 0x0403_4b50)
        le16(&bytes, 20)
        le16(&bytes, 0)
        le16(&bytes, 8)
        le16(&bytes, 0)
        le16(&bytes, 0x21)
        le32(&bytes, crc)
        le32(&bytes, UInt32(packed.count))
        le32(&bytes, UInt32(content.count))
        le16(&bytes, UInt16(nameBytes.count))
        le16(&bytes, 0)
        bytes += nameBytes
        bytes += packed
        // central directory entry
        le32(&central, 0x0201_4b50)
        le16(&central, 20)
        le16(&central, 20)
        le16(&central, 0)
        le16(&central, 8)
        le16(&central, 0)
        le16(&central, 0x21)
        le32(&central, crc)
        le32(&central, UInt32(packed.count))
        le32(&central, UInt32(content.count))
        le16(&central, UInt16(nameBytes.count))
        le16(&central, 0)
        le16(&central, 0)
        le16(&central, 0)
        le16(&central, 0)
        le32(&central, 0)
        le32(&central, offset)
        central += nameBytes
        count += 1
    }

    /// The finished archive.
    func finish() -> [UInt8] {
        var out = bytes + central
        le32(&out, 0x0605_4b50)
        le16(&out, 0)
        le16(&out, 0)
        le16(&out, UInt16(count))
        le16(&out, UInt16(count))
        le32(&out, UInt32(central.count))
        le32(&out, UInt32(bytes.count))
        le16(&out, 0)
        return out
    }

    private func le16(_ b: inout [UInt8], _ v: UInt16) {
        b.append(UInt8(v & 0xff))
        b.append(UInt8(v >> 8))
    }

    private func le32(_ b: inout [UInt8], _ v: UInt32) {
        for k in 0..<4 { b.append(UInt8((v >> (8 * k)) & 0xff)) }
    }
}
