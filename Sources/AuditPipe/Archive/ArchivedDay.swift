import CZlib

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reading an archive day back: the gzip file inflated (CRC and length checked by zlib) into event lines.
enum ArchivedDay {
    /// The file's bytes, or nil when it cannot be read (one allocation of the file's size).
    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        let size = Int(st.st_size)
        var failed = false
        var out = [UInt8](unsafeUninitializedCapacity: size) { buf, count in
            var done = 0
            while done < size {
                let n = Glibc.read(fd, buf.baseAddress! + done, size - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    failed = n < 0
                    break
                }
                done += n
            }
            count = done
        }
        if failed { return nil }
        // A file that grew since fstat: read the rest.
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out.append(contentsOf: chunk[..<n])
        }
        return out
    }

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
