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
    /// True when a read would wait for data (a quiet pipe or terminal); false for files.
    mutating func wouldBlock() -> Bool
}

/// Reads a file descriptor with large `read(2)` calls.
struct FileDescriptorSource: ByteSource {
    let fd: Int32
    let name: String
    let ownsDescriptor: Bool
    /// False for regular files, which never wait; true for pipes, terminals and sockets.
    let canWait: Bool
    private let control: RunControl?

    /// Opens a file for reading.
    init(path: String, control: RunControl? = nil) throws(InputError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw InputError(source: path, message: String(cString: strerror(errno))) }
        self.init(fd: fd, name: path, owns: true, control: control)
    }

    /// Reads standard input (not closed at the end).
    init(standardInput: (), control: RunControl? = nil) {
        self.init(fd: 0, name: "-", owns: false, control: control)
    }

    private init(fd: Int32, name: String, owns: Bool, control: RunControl?) {
        self.fd = fd
        self.name = name
        self.ownsDescriptor = owns
        self.control = control
        var st = stat()
        canWait = fstat(fd, &st) != 0 || (st.st_mode & S_IFMT) != S_IFREG
    }

    /// Reads up to `max` bytes, appending them; 0 at end of input or once a stop is requested. On a pipe
    /// it is called only when `wouldBlock()` said data is ready, so it does not hold a thread while waiting.
    mutating func read(into buffer: inout [UInt8], max: Int) throws(InputError) -> Int {
        if control?.isStopRequested == true { return 0 }
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

    /// True when no data is ready right now (never for regular files, nor once a stop is requested).
    mutating func wouldBlock() -> Bool {
        guard canWait, control?.isStopRequested != true else { return false }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, 0) == 0
    }

    mutating func close() {
        if ownsDescriptor { _ = Glibc.close(fd) }
    }
}
