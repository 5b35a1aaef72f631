import CZlib

/// Inflates gzip input through zlib: concatenated members (as `cat a.gz b.gz` makes) read as one stream,
/// a truncated member reported with its compressed offset. A stream that inflates past 64 MiB at more
/// than 1000 bytes out per byte in is stopped as a decompression bomb (real logs compress 5–50×).
struct GzipSource<Upstream: ByteSource>: ByteSource {
    /// Output below this is never judged a bomb.
    static var bombFloor: Int64 { 64 << 20 }
    /// The highest ratio of inflated to compressed bytes accepted past the floor.
    static var maxRatio: Int64 { 1000 }
    private var upstream: Upstream
    private let name: String
    private var input: [UInt8]
    private var inputPos = 0
    private var consumedBefore: Int64 = 0
    private var stream: UnsafeMutablePointer<z_stream>
    private var upstreamDone = false
    private var finished = false
    private var memberOpen = true
    /// At the end of a cut member: the last call with no input was made (it gave nothing more).
    private var drained = false
    private var inflated: Int64 = 0

    /// Wraps `upstream`; `prefix` holds bytes already read from it (the magic number).
    init(upstream: Upstream, name: String, prefix: [UInt8]) throws(InputError) {
        self.upstream = upstream
        self.name = name
        self.input = prefix
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let rc = inflateInit2_(stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw InputError(source: name, message: "zlib inflateInit failed (\(rc))") }
    }

    mutating func read(into buffer: inout [UInt8], max: Int) throws(InputError) -> Int {
        if finished { return 0 }
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: max))
        var produced = 0
        defer { buffer.removeLast(max - produced) }
        while produced == 0 {
            if inputPos == input.count && !upstreamDone {
                consumedBefore += Int64(input.count)
                input.removeAll(keepingCapacity: true)
                inputPos = 0
                if try upstream.read(into: &input, max: 256 * 1024) == 0 { upstreamDone = true }
            }
            if inputPos == input.count && upstreamDone {
                if upstream.stopped {
                    // A run stopped (SIGTERM) reads no further: what is inflated is handed on; the member was
                    // left, not cut, so its end is not looked for (it was reported as a truncated file).
                    finished = true
                    return 0
                }
                if memberOpen && !drained {
                    // zlib may hold inflated bytes it had no room for when the input ran out (a match crossing
                    // the end of the last buffer): one more call with no input gives them before the cut is
                    // reported. (They were lost when the output filled exactly as the input ended.)
                    drained = true
                } else {
                    finished = true
                    if memberOpen {
                        throw InputError(
                            source: name,
                            message:
                                "truncated gzip member: the file ends at compressed byte \(consumedBefore + Int64(inputPos)) before the member's end; the lines before it were kept"
                        )
                    }
                    return 0
                }
            }
            if !memberOpen {
                // Zero bytes after the last member (a preallocated or block-padded file) end the file, as gzip
                // and zcat take them; anything else after them is refused below.
                if input[inputPos] == 0, try skipZeros() {
                    finished = true
                    return 0
                }
                // Another member follows: it must start with the gzip magic number.
                guard input[inputPos] == 0x1f else {
                    finished = true
                    throw InputError(
                        source: name,
                        message:
                            "unexpected bytes after gzip member at compressed byte \(consumedBefore + Int64(inputPos)) (not a gzip header)"
                    )
                }
                inflateReset(stream)
                memberOpen = true
            }
            let avail = input.count - inputPos
            let rc: Int32 = input.withUnsafeMutableBufferPointer { inBuf in
                buffer.withUnsafeMutableBufferPointer { outBuf in
                    stream.pointee.next_in = inBuf.baseAddress.map { $0 + inputPos }
                    stream.pointee.avail_in = UInt32(avail)
                    stream.pointee.next_out = outBuf.baseAddress! + old + produced
                    stream.pointee.avail_out = UInt32(max - produced)
                    let rc = inflate(stream, Z_NO_FLUSH)
                    produced = max - Int(stream.pointee.avail_out)
                    inputPos += avail - Int(stream.pointee.avail_in)
                    return rc
                }
            }
            if produced > 0 { drained = false }
            switch rc {
            case Z_STREAM_END: memberOpen = false
            case Z_OK, Z_BUF_ERROR: break
            default:
                finished = true
                let msg = stream.pointee.msg.map { String(cString: $0) } ?? "error \(rc)"
                throw InputError(
                    source: name,
                    message: "corrupt gzip data at compressed byte \(consumedBefore + Int64(inputPos)): \(msg)")
            }
        }
        inflated += Int64(produced)
        let compressed = consumedBefore + Int64(inputPos)
        if inflated > Self.bombFloor && inflated > Self.maxRatio * Swift.max(1, compressed) {
            finished = true
            throw InputError(
                source: name,
                message:
                    "gzip bomb: \(inflated >> 20) MiB inflated from \(compressed) compressed bytes (over \(Self.maxRatio):1); stopped, the lines before were kept"
            )
        }
        return produced
    }

    mutating func wouldBlock() -> Bool { !finished && inputPos == input.count && upstream.wouldBlock() }

    /// Gives back the compressed file's descriptor; the inflater keeps its state, so the reopened file
    /// goes on from the compressed offset reached without inflating anything again.
    mutating func suspend() -> Bool { upstream.suspend() }

    /// True while the compressed file's descriptor is given back.
    var isSuspended: Bool { upstream.isSuspended }

    var inflates: Bool { true }

    /// Reads past zero bytes from `inputPos`; true when they run to the end of the file, false at the first other
    /// byte (left at `inputPos`).
    private mutating func skipZeros() throws(InputError) -> Bool {
        while true {
            while inputPos < input.count && input[inputPos] == 0 { inputPos += 1 }
            if inputPos < input.count { return false }
            if upstreamDone { return true }
            consumedBefore += Int64(input.count)
            input.removeAll(keepingCapacity: true)
            inputPos = 0
            if try upstream.read(into: &input, max: 256 * 1024) == 0 { upstreamDone = true }
        }
    }

    /// True once its file's read stopped at a stop request: a member cut there was left, not truncated.
    var stopped: Bool { upstream.stopped }

    mutating func close() {
        inflateEnd(stream)
        stream.deallocate()
        upstream.close()
    }
}
