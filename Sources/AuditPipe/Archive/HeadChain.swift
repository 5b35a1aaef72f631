#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The heads a signing key wrote for one archive, kept beside its head record (`RECORD.chain`): a header line,
/// then the first 16 hex digits of each head's SHA-256, oldest first. A head put back that is listed is an
/// earlier head of the archive's own chain (rolled back), whatever its time says (two runs of one second write
/// heads of the same time); one that is not listed is another archive's or a copy's that went another way.
/// A list started after the record (an older auditpipe kept none, or the record was removed for a restore)
/// says since when it lists: a head written before then counts as an earlier one by its time.
struct HeadChain: Sendable {
    static let header = "auditpipe head chain v1"

    /// The run time of the first head listed when the list does not reach back to the archive's first head.
    var since: String?
    var hashes: Set<Substring>

    static func path(record: String) -> String { record + ".chain" }

    /// The key a head is listed under.
    static func entry(_ headBytes: [UInt8]) -> String { String(ArchiveHead.sha256(headBytes).prefix(16)) }

    /// The list kept beside `record` (nil: none, or not one).
    static func load(record: String) -> HeadChain? {
        guard let bytes = FileBytes.read(path(record: record)) else { return nil }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        guard let first = lines.first, first.hasPrefix(header) else { return nil }
        let rest = first.dropFirst(header.count)
        let since = rest.hasPrefix(" since ") ? String(rest.dropFirst(" since ".count)) : nil
        return HeadChain(since: since, hashes: Set(lines.dropFirst()))
    }

    /// True when `head` (its bytes `bytes`) is one this list holds as written before the last one.
    func holds(_ head: ArchiveHead, bytes: [UInt8]) -> Bool {
        if hashes.contains(Substring(Self.entry(bytes))) { return true }
        return since.map { head.runTime < $0 } ?? false
    }

    /// Lists `headBytes`, about to be written as the archive's head, before it is: a head is never on the
    /// archive without being listed. With no record (a first run, or the record removed for a restore) the list
    /// starts again from the archive's head as it is (`current`), or from nothing for an archive with none; a
    /// record without a list (an older auditpipe) starts one from the record.
    static func append(
        _ headBytes: [UInt8], record: String, recorded: [UInt8]?, current: [UInt8]?
    ) throws(OutputError) {
        let path = path(record: record)
        var start: [UInt8]?
        if recorded == nil {
            start = Array((header + "\n").utf8)
            if let current, let head = try? ArchiveHead.decode(current) {
                start = Array((header + " since \(head.runTime)\n" + entry(current) + "\n").utf8)
            }
        } else if let recorded, load(record: record) == nil {
            let time = (try? ArchiveHead.decode(recorded))?.runTime ?? ""
            start = Array((header + " since \(time)\n" + entry(recorded) + "\n").utf8)
        }
        if let start { try AtomicFile.write(start, to: path) }
        let line = Array((entry(headBytes) + "\n").utf8)
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputError(path: path, message: String(cString: strerror(errno))) }
        defer { close(fd) }
        let n = line.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        guard n == line.count, fsync(fd) == 0 else {
            throw OutputError(path: path, message: "write failed: \(String(cString: strerror(errno)))")
        }
    }
}
