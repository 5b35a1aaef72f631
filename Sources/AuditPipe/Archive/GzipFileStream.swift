import CZlib
import Crypto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A gzip file of any number of members inflated as a stream: one chunk of compressed bytes and one chunk of
/// inflated bytes in memory, the file's SHA-256 taken as it is read. The index (`DayRowStream`) and `verify`
/// read a day this way, so neither holds the day whole.
struct GzipFileStream {
    /// What the stream hands on, in order.
    enum Event {
        /// Inflated bytes (valid only during the call).
        case bytes(UnsafeBufferPointer<UInt8>)
        /// A member ended: its compressed and inflated bounds (its bytes were handed on before).
        case memberEnded(GzipMembers.Member)
    }

    /// The compressed file read: its size and SHA-256 (hex), to check against the day's manifest.
    struct FileDigest: Equatable {
        var bytes: Int64
        var sha256: String
    }

    /// Why a file could not be streamed: its gzip bytes (`input`: damaged, truncated, trailing bytes), or
    /// reading the file or what the caller does with an event (`output`).
    enum Failure: Error {
        case input(InputError)
        case output(OutputError)
    }

    let path: String
    /// Bytes read from the file at a time.
    var readChunk = 1 << 20

    /// Reads the whole file, handing on inflated bytes and member ends; returns the file's size and hash.
    func read(_ body: (Event) throws(Failure) -> Void) throws(Failure) -> FileDigest {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw .output(OutputError(path: path, message: "cannot read: \(String(cString: strerror(errno)))"))
        }
        defer { close(fd) }
        var hasher = SHA256()
        let inflater: GzipInflater
        do throws(InputError) { inflater = try GzipInflater(name: path) } catch { throw .input(error) }
        let stream = inflater.stream
        var input = [UInt8](repeating: 0, count: readChunk)
        var output = [UInt8](repeating: 0, count: 1 << 18)
        var inputCount = 0
        var inputUsed = 0
        var inputBase = 0  // compressed offset of input[0]
        var produced = 0  // inflated bytes so far
        var memberStart = (compressed: 0, inflated: 0)
        var atEnd = false
        while true {
            if inputUsed == inputCount && !atEnd {
                inputBase += inputCount
                let n = try readSome(fd, into: &input)
                input.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                (inputCount, inputUsed) = (n, 0)
                if n == 0 { atEnd = true }
            }
            if inputCount == inputUsed && atEnd {
                // The file ends: either between members (or empty), or inside one.
                guard inputBase == memberStart.compressed else {
                    throw .input(
                        InputError(
                            source: path,
                            message: "truncated: the gzip stream ends at byte \(inputBase) before its end"))
                }
                return FileDigest(bytes: Int64(inputBase), sha256: ArchiveManifest.hex(hasher.finalize()))
            }
            var rc: Int32 = Z_OK
            var made = 0
            input.withUnsafeMutableBufferPointer { inBuf in
                output.withUnsafeMutableBufferPointer { outBuf in
                    stream.pointee.next_in = inBuf.baseAddress! + inputUsed
                    stream.pointee.avail_in = UInt32(inputCount - inputUsed)
                    stream.pointee.next_out = outBuf.baseAddress!
                    stream.pointee.avail_out = UInt32(outBuf.count)
                    rc = CZlib.inflate(stream, Z_NO_FLUSH)
                    inputUsed = inputCount - Int(stream.pointee.avail_in)
                    made = outBuf.count - Int(stream.pointee.avail_out)
                }
            }
            produced += made
            if made > 0 {
                try output.withUnsafeBufferPointer { (p) throws(Failure) in
                    try body(.bytes(UnsafeBufferPointer(rebasing: p[0..<made])))
                }
            }
            switch rc {
            case Z_STREAM_END:
                let end = inputBase + inputUsed
                try body(
                    .memberEnded(
                        GzipMembers.Member(
                            compressedOffset: memberStart.compressed, compressedLength: end - memberStart.compressed,
                            inflatedOffset: memberStart.inflated, inflatedLength: produced - memberStart.inflated)))
                memberStart = (end, produced)
                inflateReset(stream)
            case Z_OK, Z_BUF_ERROR:
                continue
            default:
                throw .input(
                    InputError(
                        source: path, message: "\(inflater.message(rc)) at compressed byte \(inputBase + inputUsed)"))
            }
        }
    }

    /// Reads up to a chunk (retrying EINTR).
    private func readSome(_ fd: Int32, into buffer: inout [UInt8]) throws(Failure) -> Int {
        while true {
            let n = buffer.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress!, $0.count) }
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw .output(OutputError(path: path, message: "cannot read: \(String(cString: strerror(errno)))"))
        }
    }
}

/// `read(2)`, named apart from `GzipFileStream.read`.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, buffer, count) }
