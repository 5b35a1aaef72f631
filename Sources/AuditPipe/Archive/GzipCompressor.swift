import CZlib

/// Streaming deflate through zlib: gzip (zlib writes the header, CRC-32 and length) or raw (for zip entries).
final class GzipCompressor {
    private let stream: UnsafeMutablePointer<z_stream>
    private var output: [UInt8] = []

    /// Creates a compressor at `level` (1 fastest … 9 smallest); `raw` gives a bare deflate stream.
    init(level: Int32, raw: Bool = false) throws(OutputError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let rc = deflateInit2_(
            stream, level, Z_DEFLATED, raw ? -15 : 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
            Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw OutputError(path: "-", message: "zlib deflateInit2 failed (\(rc))") }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// Compresses `bytes`; returns compressed bytes ready so far.
    func compress(_ bytes: [UInt8]) -> [UInt8] { bytes.withUnsafeBufferPointer { run($0, flush: Z_NO_FLUSH) } }

    /// Compresses bytes in place (no copy); returns compressed bytes ready so far.
    func compress(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] { run(bytes, flush: Z_NO_FLUSH) }

    /// Ends the stream; returns the last compressed bytes (with the gzip trailer).
    func finish() -> [UInt8] { run(UnsafeBufferPointer(start: nil, count: 0), flush: Z_FINISH) }

    private func run(_ inBuf: UnsafeBufferPointer<UInt8>, flush: Int32) -> [UInt8] {
        output.removeAll(keepingCapacity: true)
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        do {
            stream.pointee.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
            stream.pointee.avail_in = UInt32(inBuf.count)
            while true {
                let (rc, produced): (Int32, Int) = chunk.withUnsafeMutableBufferPointer { out in
                    stream.pointee.next_out = out.baseAddress
                    stream.pointee.avail_out = UInt32(out.count)
                    let rc = deflate(stream, flush)
                    return (rc, out.count - Int(stream.pointee.avail_out))
                }
                output.append(contentsOf: chunk[..<produced])
                if flush == Z_FINISH {
                    if rc == Z_STREAM_END { break }
                } else if stream.pointee.avail_in == 0 && produced < chunk.count {
                    break
                }
            }
        }
        return output
    }
}
