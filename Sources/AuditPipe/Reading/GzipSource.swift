import CISAL

/// Inflates gzip input through ISA-L's igzip (about five times zlib's speed; each member's CRC-32 and length
/// checked as zlib checks them, its header by `GzipHeaderReader`): concatenated members (as `cat a.gz b.gz`
/// makes) read as one stream, a truncated member reported with its compressed offset. A stream that inflates past 64 MiB at more
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
    /// igzip's state (85 KiB: its tables and the 32 KiB window), on the heap for the source's life.
    private var state: UnsafeMutablePointer<inflate_state>
    private var upstreamDone = false
    private var finished = false
    private var memberOpen = true
    /// The open member's header, read before its deflate data.
    private var header = GzipHeaderReader()
    private var inflated: Int64 = 0

    /// Wraps `upstream`; `prefix` holds bytes already read from it (the magic number).
    init(upstream: Upstream, name: String, prefix: [UInt8]) throws(InputError) {
        self.upstream = upstream
        self.name = name
        self.input = prefix
        state = .allocate(capacity: 1)
        UnsafeMutableRawPointer(state).initializeMemory(
            as: UInt8.self, repeating: 0, count: MemoryLayout<inflate_state>.size)
        isal_inflate_init(state)
        // Deflate data then the gzip trailer, whose CRC-32 and length igzip checks; headers are read here.
        state.pointee.crc_flag = UInt32(ISAL_GZIP_NO_HDR_VER)
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
            if !memberOpen {
                // Another member follows: it must start with the gzip magic number.
                guard input[inputPos] == 0x1f else {
                    finished = true
                    throw InputError(
                        source: name,
                        message:
                            "unexpected bytes after gzip member at compressed byte \(consumedBefore + Int64(inputPos)) (not a gzip header)"
                    )
                }
                isal_inflate_reset(state)
                header = GzipHeaderReader()
                memberOpen = true
            }
            if !header.isDone {
                let read = input.withUnsafeBufferPointer { header.read(UnsafeBufferPointer(rebasing: $0[inputPos...])) }
                switch read {
                case .success(let n): inputPos += n
                case .failure(let error):
                    finished = true
                    throw InputError(
                        source: name,
                        message:
                            "corrupt gzip data at compressed byte \(consumedBefore + Int64(inputPos)): \(error.reason)")
                }
                if !header.isDone { continue }
            }
            let avail = input.count - inputPos
            let rc: Int32 = input.withUnsafeMutableBufferPointer { inBuf in
                buffer.withUnsafeMutableBufferPointer { outBuf in
                    state.pointee.next_in = inBuf.baseAddress! + inputPos
                    state.pointee.avail_in = UInt32(avail)
                    state.pointee.next_out = outBuf.baseAddress! + old + produced
                    state.pointee.avail_out = UInt32(max - produced)
                    let rc = isal_inflate(state)
                    produced = max - Int(state.pointee.avail_out)
                    inputPos += avail - Int(state.pointee.avail_in)
                    return rc
                }
            }
            if rc < 0 {
                finished = true
                throw InputError(
                    source: name,
                    message:
                        "corrupt gzip data at compressed byte \(consumedBefore + Int64(inputPos)): \(Self.message(rc))")
            }
            if state.pointee.block_state == ISAL_BLOCK_FINISH { memberOpen = false }
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

    mutating func close() {
        state.deallocate()
        upstream.close()
    }

    /// What an igzip error code means, in zlib's words where zlib has them.
    static func message(_ rc: Int32) -> String {
        switch rc {
        case ISAL_INVALID_BLOCK: "invalid deflate block"
        case ISAL_INVALID_SYMBOL: "invalid code in a deflate block"
        case ISAL_INVALID_LOOKBACK: "invalid distance too far back"
        case ISAL_INVALID_WRAPPER: "incorrect header check"
        case ISAL_UNSUPPORTED_METHOD: "unknown compression method"
        case ISAL_INCORRECT_CHECKSUM: "incorrect data check (the member's CRC-32 or length)"
        default: "error \(rc)"
        }
    }
}
