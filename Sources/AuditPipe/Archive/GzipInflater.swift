import CZlib

/// A zlib inflate stream for gzip (every member; zlib checks each one's CRC-32 and length), ended when
/// released: what `GzipMembers` and `GzipFileStream` inflate through.
final class GzipInflater {
    /// The zlib stream (valid for the inflater's life).
    let stream: UnsafeMutablePointer<z_stream>

    /// Creates the stream; `name` names the input in the error.
    init(name: String) throws(InputError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard inflateInit2_(stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            stream.deallocate()
            throw InputError(source: name, message: "zlib inflateInit failed")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// zlib's message for the last error, or its code.
    func message(_ rc: Int32) -> String { stream.pointee.msg.map { String(cString: $0) } ?? "error \(rc)" }
}
