#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Something that yields the bytes of one input, chunk by chunk.
protocol ByteSource {
    /// Appends up to `max` bytes to `buffer`; returns how many (0 at the end, or for an endless source a pause).
    mutating func read(into buffer: inout [UInt8], max: Int) throws(InputError) -> Int
    /// After a read of 0 bytes: true when the source has ended; false when it only has nothing now (a followed
    /// file, which ends only at a stop).
    mutating func endedAtEmptyRead() -> Bool
    /// Releases the underlying descriptor.
    mutating func close()
    /// True when a read would wait for data (a quiet pipe or terminal); false for files.
    mutating func wouldBlock() -> Bool
    /// Closes the descriptor but keeps the read position, so another input can have it; the next read
    /// reopens the file there. False when the source cannot (a pipe): it keeps its descriptor.
    mutating func suspend() -> Bool
    /// True while suspended by `suspend()`.
    var isSuspended: Bool { get }
    /// While suspended: true when reopening may find something new (the file grew, shrank or was
    /// replaced); a suspended source that says false need not be reopened yet.
    mutating func mayHaveNews() -> Bool
    /// When what was read last was written (UTC nanoseconds), for a source that can tell (a followed file's
    /// modification time); nil otherwise.
    func lastWritten() -> Int64?
    /// True when its reads cost more than a copy (it inflates what it reads).
    var inflates: Bool { get }
    /// True once a read gave nothing because a stop was requested: the input was left, not ended, and the
    /// bytes after its last newline are part of a line not read whole.
    var stopped: Bool { get }
}

extension ByteSource {
    /// Sources that hold no descriptor of their own, or cannot give it back, keep it.
    mutating func suspend() -> Bool { false }
    /// Never suspended unless the source says otherwise.
    var isSuspended: Bool { false }
    /// A source that cannot tell is worth reopening.
    mutating func mayHaveNews() -> Bool { true }
    /// Most sources cannot tell when their bytes were written.
    func lastWritten() -> Int64? { nil }
    /// Files, pipes and documents end where a read gives nothing.
    mutating func endedAtEmptyRead() -> Bool { true }
    /// Most sources copy what they read.
    var inflates: Bool { false }
    /// Most sources are read to their end.
    var stopped: Bool { false }
}

/// Reads a file descriptor with large `read(2)` calls.
struct FileDescriptorSource: ByteSource {
    private(set) var fd: Int32
    let name: String
    let ownsDescriptor: Bool
    /// False for regular files, which never wait; true for pipes, terminals and sockets.
    let canWait: Bool
    private let control: RunControl?
    /// Bytes read so far (where a suspended file is reopened).
    private var position: Int64 = 0
    /// The file's device and inode, to check that a reopened path is still the same file.
    private var device: UInt64 = 0
    private var inode: UInt64 = 0
    /// True once the source gave its descriptor back; cleared when it reopens.
    private(set) var isSuspended = false
    /// True once a read gave nothing because a stop was requested.
    private(set) var stopped = false

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
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }

    /// Reads up to `max` bytes, appending them; 0 at end of input or once a stop is requested. On a pipe
    /// it is called only when `wouldBlock()` said data is ready, so it does not hold a thread while waiting.
    mutating func read(into buffer: inout [UInt8], max: Int) throws(InputError) -> Int {
        if control?.isStopRequested == true {
            stopped = true
            return 0
        }
        if isSuspended { try reopen() }
        // A regular file is read no further than its size, so a small file gets a small buffer.
        var max = max
        if !canWait {
            var st = stat()
            if fstat(fd, &st) == 0 { max = Swift.min(max, Swift.max(1, Int(Int64(st.st_size) - position))) }
        }
        let old = buffer.count
        var got = 0
        var failure: Int32 = 0
        // Grown geometrically: reserving exactly `old + max` on every read copied the buffer on every read.
        if buffer.capacity < old + max { buffer.reserveCapacity(Swift.max(old + max, 2 * buffer.capacity)) }
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
        position += Int64(got)
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
        if ownsDescriptor && fd >= 0 { _ = Glibc.close(fd) }
        fd = -1
        isSuspended = false
    }

    /// A regular file opened by path gives its descriptor back; pipes and standard input keep theirs.
    mutating func suspend() -> Bool {
        guard ownsDescriptor, !canWait, fd >= 0 else { return false }
        _ = Glibc.close(fd)
        fd = -1
        isSuspended = true
        return true
    }

    /// Opens the path again at the position reached; it must still be the same file.
    private mutating func reopen() throws(InputError) {
        let f = open(name, O_RDONLY | O_CLOEXEC)
        guard f >= 0 else {
            throw InputError(source: name, message: "cannot reopen: \(String(cString: strerror(errno)))")
        }
        var st = stat()
        guard fstat(f, &st) == 0, UInt64(st.st_dev) == device, UInt64(st.st_ino) == inode else {
            _ = Glibc.close(f)
            throw InputError(
                source: name, message: "the file was replaced while it was being read (at byte \(position))")
        }
        _ = lseek(f, off_t(position), SEEK_SET)
        fd = f
        isSuspended = false
    }
}
