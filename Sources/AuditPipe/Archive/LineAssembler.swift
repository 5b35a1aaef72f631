/// Cuts a stream of bytes into its non-blank lines (without newlines), whatever the chunks: a line split
/// across chunks is handed on whole, once.
struct LineAssembler {
    /// Bytes of a line not yet ended.
    private var pending: [UInt8] = []

    /// Takes the next bytes, handing on each line they end.
    mutating func feed<E: Error>(
        _ bytes: UnsafeBufferPointer<UInt8>, _ line: (UnsafeBufferPointer<UInt8>) throws(E) -> Void
    ) throws(E) {
        var start = 0
        for i in bytes.indices where bytes[i] == 10 {
            if pending.isEmpty {
                if i > start { try line(UnsafeBufferPointer(rebasing: bytes[start..<i])) }
            } else {
                pending.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
                let whole = pending
                pending.removeAll(keepingCapacity: true)
                try whole.withUnsafeBufferPointer { (p) throws(E) in try line(p) }
            }
            start = i + 1
        }
        pending.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
    }

    /// Ends the stream: a last line without a newline is handed on.
    mutating func finish<E: Error>(_ line: (UnsafeBufferPointer<UInt8>) throws(E) -> Void) throws(E) {
        let rest = pending
        pending = []
        if !rest.isEmpty { try rest.withUnsafeBufferPointer { (p) throws(E) in try line(p) } }
    }
}
