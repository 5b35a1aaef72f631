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
    private let input: Int32

    /// Opens a file for reading.
    init(path: String, control: RunControl? = nil, input: Int32 = 0) throws(InputError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw InputError(source: path, message: String(cString: strerror(errno))) }
        self.init(fd: fd, name: path, owns: true, control: control, input: input)
    }

    /// Reads standard input (not closed at the end).
    init(standardInput: (), control: RunControl? = nil, input: Int32 = 0) {
        self.init(fd: 0, name: "-", owns: false, control: control, input: input)
    }

    private init(fd: Int32, name: String, owns: Bool, control: RunControl?, input: Int32) {
        self.fd = fd
        self.name = name
        self.ownsDescriptor = owns
        self.control = control
        self.input = input
        var st = stat()
        canWait = fstat(fd, &st) != 0 || (st.st_mode & S_IFMT) != S_IFREG
    }

    /// Reads up to `max` bytes, appending them; 0 at end of input or once a stop is requested. While no data
    /// comes, polls every 100 ms so a stop request is seen and the run knows the input is quiet.
    mutating func read(into buffer: inout [UInt8], max: Int) throws(InputError) -> Int {
        if control?.isStopRequested == true { return 0 }
        if canWait, wouldBlock() {
            control?.setWaiting(input, since: RunControl.now())
            defer { control?.setWaiting(input, since: nil) }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            while poll(&p, 1, 100) == 0 || (p.revents == 0) {
                if control?.isStopRequested == true { return 0 }
            }
            if control?.isStopRequested == true { return 0 }
        }
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

    /// True when no data is ready right now (never for regular files).
    mutating func wouldBlock() -> Bool {
        guard canWait else { return false }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, 0) == 0
    }

    mutating func close() {
        if ownsDescriptor { _ = Glibc.close(fd) }
    }
}
