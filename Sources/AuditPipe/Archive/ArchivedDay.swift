import CZlib

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reading an archive day back: the gzip file inflated (CRC and length checked by zlib) into event lines.
enum ArchivedDay {
    /// Inflates gzip bytes (every member), zlib checking each member's CRC-32 and length.
    static func inflate(_ gz: [UInt8], name: String, expectedSize: Int? = nil) throws(InputError) -> [UInt8] {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer {
            inflateEnd(stream)
            stream.deallocate()
        }
        guard inflateInit2_(stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw InputError(source: name, message: "zlib inflateInit failed")
        }
        var out = [UInt8](repeating: 0, count: max(1 << 16, (expectedSize ?? gz.count * 8) + 1))
        var produced = 0
        var consumed = 0
        var gz = gz
        while true {
            if produced == out.count { out.append(contentsOf: repeatElement(0, count: out.count)) }
            let rc: Int32 = gz.withUnsafeMutableBufferPointer { inBuf in
                out.withUnsafeMutableBufferPointer { outBuf in
                    stream.pointee.next_in = inBuf.baseAddress! + consumed
                    stream.pointee.avail_in = UInt32(inBuf.count - consumed)
                    stream.pointee.next_out = outBuf.baseAddress! + produced
                    stream.pointee.avail_out = UInt32(outBuf.count - produced)
                    let rc = CZlib.inflate(stream, Z_NO_FLUSH)
                    consumed = inBuf.count - Int(stream.pointee.avail_in)
                    produced = outBuf.count - Int(stream.pointee.avail_out)
                    return rc
                }
            }
            switch rc {
            case Z_STREAM_END:
                if consumed == gz.count {
                    out.removeLast(out.count - produced)
                    return out
                }
                inflateReset(stream)  // another member follows
            case Z_OK: continue
            case Z_BUF_ERROR where produced == out.count: continue
            case Z_BUF_ERROR:
                throw InputError(
                    source: name, message: "truncated: the gzip stream ends at byte \(consumed) before its end")
            default:
                let msg = stream.pointee.msg.map { String(cString: $0) } ?? "error \(rc)"
                throw InputError(source: name, message: "\(msg) at compressed byte \(consumed)")
            }
        }
    }

    /// The lines of uncompressed JSONL content (without their newlines).
    static func lines(_ content: [UInt8]) -> [ArraySlice<UInt8>] {
        content.split(separator: 10, omittingEmptySubsequences: true)
    }
}
