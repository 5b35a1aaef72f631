#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a `--follow` run has finished with: for each followed path, the file it was in (identity) and the
/// offset before which every line is in an event already written, plus how long the output was then.
/// Saved as `checkpoint.json` in the checkpoint directory, atomically (temp file, fsync, rename, fsync dir).
public struct Checkpoint: Sendable, Equatable {
    /// One followed path's committed position.
    public struct Entry: Sendable, Equatable {
        public var path: String
        public var identity: FileIdentity
        /// Offset in the file named by `identity`.
        public var fileOffset: Int64
        /// Stream offset (cumulative over rotations) and line number at that point.
        public var offset: Int64
        public var line: Int64
    }

    /// Committed positions by path.
    public var entries: [String: Entry] = [:]
    /// Output file length when committed: events after it may be written again on resume and are skipped.
    public var outputBytes: Int64 = 0

    /// Creates an empty checkpoint.
    public init() {}

    /// The checkpoint file in `directory`.
    public static func path(in directory: String) -> String { directory + "/checkpoint.json" }

    /// Reads the checkpoint in `directory`; an empty one when there is none yet.
    public static func load(from directory: String) throws(OutputError) -> Checkpoint {
        let file = path(in: directory)
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return Checkpoint() }
            throw OutputError(path: file, message: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[..<n])
        }
        let value: JSONValue? = bytes.withUnsafeBufferPointer { b in
            var scanner = JSONScanner(b, maxDepth: 8)
            return try? scanner.parseValue(depth: 0)
        }
        guard let value, case .array(let items)? = value["inputs"],
            let outputBytes = value["output_bytes"]?.scalarText.flatMap({ Int64($0) })
        else {
            throw OutputError(path: file, message: "not a checkpoint written by auditpipe")
        }
        var c = Checkpoint()
        c.outputBytes = outputBytes
        for item in items {
            func int(_ k: String) -> Int64? { item[k]?.scalarText.flatMap { Int64($0) } }
            guard let p = item["path"]?.scalarText, let dev = int("device"), let ino = int("inode"),
                let fp = item["fingerprint"]?.scalarText.flatMap({ UInt64($0, radix: 16) }),
                let fpLength = int("fingerprint_length"), let fileOffset = int("file_offset"),
                let offset = int("offset"), let line = int("line")
            else {
                throw OutputError(path: file, message: "malformed checkpoint entry")
            }
            c.entries[p] = Entry(
                path: p,
                identity: FileIdentity(
                    device: UInt64(dev), inode: UInt64(ino), fingerprint: fp, fingerprintLength: Int(fpLength)),
                fileOffset: fileOffset, offset: offset, line: line)
        }
        return c
    }

    /// Writes the checkpoint into `directory` so that a crash leaves the old one or the new one whole.
    public func save(in directory: String) throws(OutputError) {
        var w = JSONWriter(capacity: 1024)
        w.raw("{")
        w.key("version")
        w.int(1)
        w.raw(",")
        w.key("output_bytes")
        w.int(Int(outputBytes))
        w.raw(",")
        w.key("inputs")
        w.raw("[")
        for (i, e) in entries.values.sorted(by: { $0.path < $1.path }).enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("{")
            w.key("path")
            w.string(e.path)
            for (k, v) in [
                ("device", Int64(bitPattern: e.identity.device)), ("inode", Int64(bitPattern: e.identity.inode)),
                ("fingerprint_length", Int64(e.identity.fingerprintLength)), ("file_offset", e.fileOffset),
                ("offset", e.offset), ("line", e.line),
            ] {
                w.raw(",")
                w.string(k)
                w.raw(":")
                w.int(Int(v))
            }
            w.raw(",")
            w.key("fingerprint")
            w.string(String(e.identity.fingerprint, radix: 16))
            w.raw("}")
        }
        w.raw("]}\n")
        try AtomicFile.write(w.bytes, to: Self.path(in: directory))
    }
}

/// Writes a file so a crash leaves either its old content or the new one: temp file in the same directory,
/// fsync, rename over the target, fsync the directory.
enum AtomicFile {
    /// Writes `bytes` to `path` atomically; with `crashMidway`, a crash test may stop it half-way through.
    static func write(_ bytes: [UInt8], to path: String, crashMidway: Bool = false) throws(OutputError) {
        let temp = path + ".tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputError(path: temp, message: String(cString: strerror(errno))) }
        var done = 0
        while done < bytes.count {
            let chunk = crashMidway && done == 0 ? max(1, bytes.count / 2) : bytes.count - done
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, chunk) }
            if crashMidway && done == 0 && n > 0 { CrashPoint.reached("half a file written") }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let e = errno
                close(fd)
                throw OutputError(path: temp, message: "write failed: \(String(cString: strerror(e)))")
            }
            done += n
        }
        guard fsync(fd) == 0, close(fd) == 0 else {
            throw OutputError(path: temp, message: "fsync failed: \(String(cString: strerror(errno)))")
        }
        guard rename(temp, path) == 0 else {
            throw OutputError(path: path, message: "rename failed: \(String(cString: strerror(errno)))")
        }
        syncDirectory(path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/"))
    }

    /// fsyncs a directory, so a rename or unlink in it is durable.
    static func syncDirectory(_ dir: String) {
        let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }
}
