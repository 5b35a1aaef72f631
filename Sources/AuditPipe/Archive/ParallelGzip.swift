import Dispatch

/// Compresses on every core, as pigz does: the content is cut at line ends into ~4 MiB chunks, each
/// deflated as its own gzip member, members concatenated in order (a valid gzip file; `gzip -t`, `zcat`
/// and every inflater read it as one stream). The cut points depend only on the content, so the output
/// is the same run after run.
enum ParallelGzip {
    /// Uncompressed bytes per member (tests make it small to get many members out of a small day).
    nonisolated(unsafe) static var chunkBytes = 4 << 20

    static func compress(_ content: [UInt8], level: Int32) throws(OutputError) -> [UInt8] {
        var cuts = [0]
        while cuts.last! < content.count {
            var end = min(content.count, cuts.last! + chunkBytes)
            while end < content.count, content[end - 1] != 10 { end += 1 }
            cuts.append(end)
        }
        if content.isEmpty { cuts.append(0) }
        let parts = cuts.count - 1
        let bounds = cuts
        let results = ResultSlots(count: parts)
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            do throws(OutputError) {
                let c = try GzipCompressor(level: level)
                let packed = content.withUnsafeBufferPointer {
                    c.compress(UnsafeBufferPointer(rebasing: $0[bounds[p]..<bounds[p + 1]]))
                }
                results.set(p, .success(packed + c.finish()))
            } catch {
                results.set(p, .failure(error))
            }
        }
        var out: [UInt8] = []
        for r in results.all {
            switch r {
            case .success(let bytes): out += bytes
            case .failure(let e): throw e
            case nil: throw OutputError(path: "-", message: "compression did not finish")
            }
        }
        return out
    }

    /// One result per chunk, written from the worker threads.
    private final class ResultSlots: @unchecked Sendable {
        private var slots: [Result<[UInt8], OutputError>?]
        private let lock = DispatchQueue(label: "auditpipe.gzip.results")
        init(count: Int) { slots = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ r: Result<[UInt8], OutputError>) { lock.sync { slots[i] = r } }
        var all: [Result<[UInt8], OutputError>?] { lock.sync { slots } }
    }
}
