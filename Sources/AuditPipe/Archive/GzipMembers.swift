import CZlib

/// A day file's gzip members (ParallelGzip writes one per ~4 MiB of lines, cut at line ends): where each lies
/// in the compressed file and in the inflated content, so one event is read back by inflating its member only.
enum GzipMembers {
    /// One member: its compressed byte range and where its inflated bytes start in the whole content.
    struct Member: Sendable, Equatable {
        var compressedOffset: Int
        var compressedLength: Int
        var inflatedOffset: Int
        var inflatedLength: Int
    }

    /// Inflates gzip bytes (every member in them), calling `member` with each member's compressed and inflated
    /// bounds.
    static func inflate(
        _ gz: [UInt8], name: String, expectedSize: Int? = nil, member: (Int, Int, Int, Int) -> Void = { _, _, _, _ in }
    ) throws(InputError) -> [UInt8] {
        let inflater = try GzipInflater(name: name)
        let stream = inflater.stream
        guard !gz.isEmpty else { return [] }
        var out = [UInt8](repeating: 0, count: max(1 << 16, (expectedSize ?? gz.count * 8) + 1))
        var produced = 0
        var consumed = 0
        var memberStart = (0, 0)
        while true {
            if produced == out.count { out.append(contentsOf: repeatElement(0, count: out.count)) }
            let rc: Int32 = gz.withUnsafeBufferPointer { inBuf in
                out.withUnsafeMutableBufferPointer { outBuf in
                    stream.pointee.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress! + consumed)
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
                member(memberStart.0, consumed, memberStart.1, produced)
                memberStart = (consumed, produced)
                if consumed == gz.count {
                    out.removeLast(out.count - produced)
                    return out
                }
                inflateReset(stream)
            case Z_OK: continue
            case Z_BUF_ERROR where produced == out.count: continue
            case Z_BUF_ERROR:
                throw InputError(
                    source: name, message: "truncated: the gzip stream ends at byte \(consumed) before its end")
            default:
                throw InputError(source: name, message: "\(inflater.message(rc)) at compressed byte \(consumed)")
            }
        }
    }
}
