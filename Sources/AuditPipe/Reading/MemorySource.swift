/// Bytes already in memory, read like a file (the fuzz targets' input).
struct MemorySource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func read(into buffer: inout [UInt8], max: Int) throws(InputError) -> Int {
        let n = min(max, bytes.count - position)
        buffer.append(contentsOf: bytes[position..<(position + n)])
        position += n
        return n
    }

    mutating func close() {}
    mutating func wouldBlock() -> Bool { false }
}
