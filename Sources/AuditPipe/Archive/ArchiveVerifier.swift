/// `auditpipe verify`: checks every archive day — the gzip stream (CRC and length), both SHA-256s, the
/// event count, time range and order, the manifest's day, stray files — and the manifest chain from the
/// pruned record through the last day. Reports the first failure: which file, and why.
public enum ArchiveVerifier {
    /// A failed check.
    public struct Failure: Error, Sendable, Equatable {
        /// The file (or directory) at fault.
        public let path: String
        /// What is wrong with it.
        public let reason: String
    }

    /// What a successful verification covered.
    public struct Summary: Sendable {
        public var days = 0
        public var events = 0
        public var pruned = 0
    }

    /// Verifies the archive under `root`.
    public static func verify(root: String) -> Result<Summary, Failure> {
        var summary = Summary()
        let pruned = PrunedDays.load(root)
        summary.pruned = pruned.count
        var previous = pruned.last?.manifestSHA256
        var previousDay = pruned.last?.day
        for day in ArchiveLayout.archivedDays(root) {
            let manifestPath = ArchiveLayout.manifestFile(root, day: day)
            if let problem = checkDay(root: root, day: day, previous: nil, checkChain: false) {
                return .failure(problem)
            }
            let bytes = FileBytes.read(manifestPath) ?? []
            let manifest = ArchiveManifest.parse(bytes)!
            if manifest.previousManifestSHA256 != previous {
                let before = previousDay.map { "the manifest of \($0)" } ?? "nothing (it is the first day)"
                return .failure(
                    Failure(
                        path: manifestPath,
                        reason:
                            "chain broken: previous_manifest_sha256 does not match \(before); a day before \(day) is missing, or days were swapped, or an earlier manifest was edited"
                    ))
            }
            previous = ArchiveManifest.sha256(bytes)
            previousDay = day
            summary.days += 1
            summary.events += manifest.events
        }
        return .success(summary)
    }

    /// Checks one day's files against its manifest (and, when asked, the manifest's chain link). A read-back
    /// right after writing skips the per-line checks: the content hash already proves what was written.
    static func checkDay(root: String, day: String, previous: String?, checkChain: Bool = true, readBack: Bool = false)
        -> Failure?
    {
        let dir = ArchiveLayout.dayDirectory(root, day: day)
        let gzPath = ArchiveLayout.archiveFile(root, day: day)
        let manifestPath = ArchiveLayout.manifestFile(root, day: day)
        guard let manifestBytes = FileBytes.read(manifestPath) else {
            return Failure(path: manifestPath, reason: "missing: the day has no manifest")
        }
        guard let m = ArchiveManifest.parse(manifestBytes) else {
            return Failure(path: manifestPath, reason: "edited: not a valid manifest")
        }
        if m.day != day {
            return Failure(path: manifestPath, reason: "reordered: the manifest is for \(m.day) but lies under \(day)")
        }
        let expectedNames = ["events-\(day).jsonl.gz", "manifest.json"]
        for name in ArchiveLayout.entries(dir) where !expectedNames.contains(name) {
            return Failure(path: dir + "/" + name, reason: "extra file in the archive day \(day)")
        }
        guard let gz = FileBytes.read(gzPath) else {
            return Failure(path: gzPath, reason: "missing: the manifest lists it but the file is gone")
        }
        if Int64(gz.count) != m.compressedBytes {
            return Failure(
                path: gzPath,
                reason:
                    "\(Int64(gz.count) < m.compressedBytes ? "truncated" : "extra bytes"): \(gz.count) bytes, the manifest says \(m.compressedBytes)"
            )
        }
        let content: [UInt8]
        do throws(InputError) {
            content = try ArchivedDay.inflate(gz, name: gzPath, expectedSize: Int(clamping: m.uncompressedBytes))
        } catch {
            return Failure(path: gzPath, reason: "corrupt gzip stream: \(error.message)")
        }
        if ArchiveManifest.sha256(gz) != m.gzipSHA256 {
            return Failure(path: gzPath, reason: "edited: SHA-256 of the gzip file does not match the manifest")
        }
        if Int64(content.count) != m.uncompressedBytes || ArchiveManifest.sha256(content) != m.contentSHA256 {
            return Failure(path: gzPath, reason: "edited: the uncompressed content does not match the manifest")
        }
        if readBack {
            let count = content.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
            if count != m.events {
                return Failure(path: gzPath, reason: "count: \(count) events, the manifest says \(m.events)")
            }
            return checkChain && m.previousManifestSHA256 != previous
                ? Failure(path: manifestPath, reason: "chain broken: previous_manifest_sha256 does not match") : nil
        }
        let lines = ArchivedDay.lines(content)
        if lines.count != m.events {
            return Failure(path: gzPath, reason: "count: \(lines.count) events, the manifest says \(m.events)")
        }
        var last: (String, String)?
        var first: String?
        for (n, line) in lines.enumerated() {
            guard let (start, id) = EventLineKey.of(line) else {
                return Failure(path: gzPath, reason: "line \(n + 1) is not an audit event")
            }
            if let last, (start, id) <= last {
                return Failure(path: gzPath, reason: "reordered: line \(n + 1) is out of start/event_id order")
            }
            if String(start.prefix(10)) != day {
                return Failure(path: gzPath, reason: "line \(n + 1) starts on \(start.prefix(10)), not on \(day)")
            }
            first = first ?? start
            last = (start, id)
        }
        if first != m.firstStart || last?.0 != m.lastStart {
            return Failure(path: manifestPath, reason: "edited: first/last start do not match the archive")
        }
        if checkChain && m.previousManifestSHA256 != previous {
            return Failure(path: manifestPath, reason: "chain broken: previous_manifest_sha256 does not match")
        }
        return nil
    }
}
