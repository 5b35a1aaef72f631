import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Compresses on every core, as pigz does: the content comes cut at line ends into ~4 MiB chunks, each
/// deflated as its own gzip member, members handed on in order (concatenated, a valid gzip file; `gzip -t`,
/// `zcat` and every inflater read it as one stream). The worker that deflates a member inflates it again
/// and compares it with its input, so what is handed on is proven to give the content back. A few chunks
/// are in flight at once: memory follows the cores, not the day.
enum ParallelGzip {
    /// Uncompressed bytes per member (tests make it small to get many members out of a small day).
    nonisolated(unsafe) static var chunkBytes = 4 << 20

    /// Deflates each chunk `next` gives (until nil) on the worker threads and calls `write(chunk, member)`
    /// for each, in order, on the calling thread. `damage` (tests only) flips a byte of that member after it
    /// was deflated, before it is checked.
    /// `check`, when given, looks at each chunk on its worker first; the error it returns ends the run.
    static func compress(
        level: Int32, damage: Int? = nil, check: (@Sendable ([UInt8]) -> OutputError?)? = nil,
        next: () throws(OutputError) -> [UInt8]?,
        write: ([UInt8], [UInt8]) throws(OutputError) -> Void
    ) throws(OutputError) {
        let inFlight = max(2, sysconf(Int32(_SC_NPROCESSORS_ONLN))) + 2
        let slots = Slots()
        defer { slots.waitForAll() }
        var submitted = 0
        var written = 0
        func drainOne() throws(OutputError) {
            let (chunk, result) = slots.take(written)
            written += 1
            try write(chunk, try result.get())
        }
        while let chunk = try next() {
            if submitted - written >= inFlight { try drainOne() }
            let index = submitted
            submitted += 1
            slots.open(index, chunk)
            DispatchQueue.global().async {
                slots.finish(
                    index,
                    Result { () throws(OutputError) in
                        if let problem = check?(chunk) { throw problem }
                        return try member(chunk, index, level, damage)
                    })
            }
        }
        while written < submitted { try drainOne() }
    }

    /// Deflates `chunk` into one gzip member, then inflates that member and compares it with `chunk`.
    private static func member(_ chunk: [UInt8], _ index: Int, _ level: Int32, _ damage: Int?) throws(OutputError)
        -> [UInt8]
    {
        let codec = try GzipMemberCodec(level: level)
        var packed = chunk.withUnsafeBufferPointer { codec.member($0) }
        if damage == index { packed[packed.count / 2] ^= 0x20 }
        var problem: String?
        let back = [UInt8](unsafeUninitializedCapacity: chunk.count) { out, count in
            problem = packed.withUnsafeBufferPointer { codec.inflate($0, into: out) }
            // Whatever inflated is initialized bytes; on a failure they are not looked at.
            if problem != nil { out.initialize(repeating: 0) }
            count = chunk.count
        }
        if let problem {
            throw OutputError(
                path: "-",
                message:
                    "gzip member \(index + 1) does not inflate back (\(problem)); nothing was published: check memory and disk, then run archive again"
            )
        }
        let same =
            back.count == chunk.count
            && (chunk.isEmpty
                || back.withUnsafeBytes { b in
                    chunk.withUnsafeBytes { c in memcmp(b.baseAddress!, c.baseAddress!, c.count) == 0 }
                })
        guard same else {
            throw OutputError(
                path: "-",
                message:
                    "gzip member \(index + 1) inflates to other bytes than its input; nothing was published: check memory and disk, then run archive again"
            )
        }
        return packed
    }

    /// Chunks in flight and their results, filled from the worker threads.
    private final class Slots: @unchecked Sendable {
        private var slots: [Int: (chunk: [UInt8], done: DispatchSemaphore, result: Result<[UInt8], OutputError>?)] =
            [:]
        private let lock = DispatchQueue(label: "auditpipe.gzip.results")
        private let group = DispatchGroup()

        func open(_ i: Int, _ chunk: [UInt8]) {
            group.enter()
            lock.sync { slots[i] = (chunk, DispatchSemaphore(value: 0), nil) }
        }

        func finish(_ i: Int, _ r: Result<[UInt8], OutputError>) {
            let done = lock.sync {
                slots[i]!.result = r
                return slots[i]!.done
            }
            done.signal()
            group.leave()
        }

        /// Waits for chunk `i`, then removes it: its input and its member (or why it failed).
        func take(_ i: Int) -> ([UInt8], Result<[UInt8], OutputError>) {
            let done = lock.sync { slots[i]!.done }
            done.wait()
            return lock.sync {
                let slot = slots.removeValue(forKey: i)!
                return (slot.chunk, slot.result!)
            }
        }

        func waitForAll() { group.wait() }
    }
}
