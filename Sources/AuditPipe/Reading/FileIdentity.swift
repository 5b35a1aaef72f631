#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which file a followed path is: device and inode, plus a fingerprint of its first bytes, so a checkpoint
/// recognises its file after a rename (rotation) and is not fooled by a reused inode.
public struct FileIdentity: Sendable, Equatable {
    /// Bytes hashed for the fingerprint (fewer when the file is shorter).
    static let fingerprintSpan = 256

    /// Device number.
    public var device: UInt64
    /// Inode number.
    public var inode: UInt64
    /// FNV-1a 64 of the first `fingerprintLength` bytes.
    public var fingerprint: UInt64
    /// How many bytes the fingerprint covers.
    public var fingerprintLength: Int

    /// The identity of an open file, or nil when it cannot be read.
    static func of(fd: Int32) -> FileIdentity? {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        var head = [UInt8](repeating: 0, count: fingerprintSpan)
        let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, fingerprintSpan, 0) }
        guard n >= 0 else { return nil }
        return FileIdentity(
            device: UInt64(st.st_dev), inode: UInt64(st.st_ino), fingerprint: fnv(head[..<n]), fingerprintLength: n)
    }

    /// The identity of the file at `path`, or nil.
    static func of(path: String) -> FileIdentity? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return of(fd: fd)
    }

    /// True when the open file is this one: same device and inode, and its first bytes unchanged (it may
    /// have grown since; a rewritten head means a reused inode or a truncated and rewritten file).
    func matches(fd: Int32) -> Bool {
        guard let now = Self.of(fd: fd), now.device == device, now.inode == inode else { return false }
        var head = [UInt8](repeating: 0, count: fingerprintLength)
        let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, fingerprintLength, 0) }
        return n == fingerprintLength && Self.fnv(head[...]) == fingerprint
    }

    /// True when the file at `path` is this one with its first bytes unchanged (see `matches(fd:)`).
    func matches(path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return matches(fd: fd)
    }

    static func fnv(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return h
    }
}
