#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Something that yields the bytes of one input, chunk by chunk.
protocol ByteSource {
    /// Appends up to `max` bytes to `buffer`; returns how many (0 at the end).
    mutating func read(into buffer: inout [UInt8], max: Int) throws(InputError) -> Int
    /// Releases the underlying descriptor.
    mutating func close()
}

/// Reads a file descriptor with large `read(2)` calls.
struct FileDescriptorSource: ByteSource {
    let fd: Int32
    let name: String
    let ownsDescriptor: Bool

    /// Opens `path` for reading.
    init(path: String) throws(InputError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw InputError(source: path, message: String(cString: strerror(errno))) }
        self.fd = fd
        self.name = path
        self.ownsDescriptor = true
    }

    /// Wraps standard input.
    init(standardInput: ()) {
        fd = 0
        name = "-"
        ownsDescriptor = false
    }

    mutating func read(into buffer: inout [UInt8], max: Int) throws(InputError) -> Int {
        let old = buffer.count
        var got = 0
        var failure: Int32 = 0
        buffer.reserveCapacity(old + max)
        buffer.append(contentsOf: repeatElement(0, count: max))
        buffer.withUnsafeMutableBufferPointer { p in
            while true {
                let n = Glibc.read(fd, p.baseAddress! + old, max)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { failure = errno } else { got = n }
                return
            }
        }
        buffer.removeLast(max - got)
        if failure != 0 {
            throw InputError(source: name, message: "read failed: \(String(cString: strerror(failure)))")
        }
        return got
    }

    mutating func close() {
        if ownsDescriptor { _ = Glibc.close(fd) }
    }
}
