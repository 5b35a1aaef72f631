#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `auditpipe query`: reads archived days back (only those the time range touches), keeps the events a
/// filter expression matches, and hands each on as its exact archived line and as an object.
public struct ArchiveQuery {
    public let root: String
    /// Event start bounds, UTC nanoseconds (inclusive since, exclusive until).
    public let since: Int64?
    public let until: Int64?
    public let filter: FilterExpression?

    /// Creates a query.
    public init(root: String, since: Int64?, until: Int64?, filter: FilterExpression?) {
        self.root = root
        self.since = since
        self.until = until
        self.filter = filter
    }

    /// Counts of a query run.
    public struct Counts: Sendable {
        public var days = 0
        public var events = 0
        public var matched = 0
    }

    /// Calls `emit` with each matching event's line (without newline) and object, in archive order.
    public func run(emit: ([UInt8], JSONValue) throws(OutputError) -> Void) throws(OutputError) -> Counts {
        var counts = Counts()
        let firstDay = since.map(ArchiveLayout.day(of:))
        let lastDay = until.map { ArchiveLayout.day(of: $0.minus(saturating: 1)) }
        for day in ArchiveLayout.archivedDays(root) {
            if let firstDay, day < firstDay { continue }
            if let lastDay, day > lastDay { continue }
            // The day's version directory, resolved once: an archive run may swap the day's link to a new
            // version meanwhile, and the file and manifest read must be one version's.
            let link = ArchiveLayout.dayDirectory(root, day: day)
            let version =
                realpath(link, nil).map { p in
                    defer { free(p) }; return String(cString: p)
                } ?? link
            let path = version + "/events-\(day).jsonl.gz"
            try CatalogDeadline.check(path)
            guard let manifest = FileBytes.read(version + "/manifest.json").flatMap(ArchiveManifest.parse) else {
                throw OutputError(path: path, message: "cannot read the day's manifest (run auditpipe verify)")
            }
            var st = stat()
            guard stat(path, &st) == 0 else {
                throw OutputError(path: path, message: "cannot read the archive (run auditpipe verify)")
            }
            guard Int64(st.st_size) == manifest.compressedBytes else {
                throw OutputError(
                    path: path,
                    message:
                        "damaged archive: \(st.st_size) bytes, the manifest says \(manifest.compressedBytes) (run auditpipe verify)"
                )
            }
            // The day is streamed (a chunk of compressed and inflated bytes at a time), not read whole; its hash
            // and count are checked at the end (a day damaged part-way has had its lines before the damage
            // handed on when the error is thrown).
            counts.days += 1
            let eventsBefore = counts.events
            var lines = LineAssembler()
            let digest: GzipFileStream.FileDigest
            do throws(GzipFileStream.Failure) {
                digest = try GzipFileStream(path: path).read { (event) throws(GzipFileStream.Failure) in
                    guard case .bytes(let b) = event else { return }
                    do throws(OutputError) {
                        try lines.feed(b) { (line) throws(OutputError) in
                            try take(line, path: path, counts: &counts, emit: emit)
                        }
                    } catch {
                        throw .output(error)
                    }
                }
                do throws(OutputError) {
                    try lines.finish { (line) throws(OutputError) in
                        try take(line, path: path, counts: &counts, emit: emit)
                    }
                } catch {
                    throw .output(error)
                }
            } catch {
                switch error {
                case .input(let e):
                    throw OutputError(path: path, message: "damaged archive: \(e.message) (run auditpipe verify)")
                case .output(let e) where e.path == path && e.message.hasPrefix("cannot read"):
                    throw OutputError(path: path, message: "cannot read the archive (run auditpipe verify)")
                case .output(let e): throw e
                }
            }
            guard digest.sha256 == manifest.gzipSHA256, counts.events - eventsBefore == manifest.events else {
                throw OutputError(
                    path: path, message: "damaged archive: the day does not match its manifest (run auditpipe verify)")
            }
        }
        return counts
    }

    /// One archived line: counted, and handed on when it is in the time range and matches the filter.
    private func take(
        _ line: UnsafeBufferPointer<UInt8>, path: String, counts: inout Counts,
        emit: ([UInt8], JSONValue) throws(OutputError) -> Void
    ) throws(OutputError) {
        counts.events += 1
        if counts.events & 1023 == 0 { try CatalogDeadline.check(path) }
        var s = JSONScanner(line, maxDepth: 64)
        guard let v = try? s.parseValue(depth: 0) else { return }
        let subject = EventObjectSubject(object: v)
        if case .time(let t) = subject.filterValue(at: FieldPath(segments: ["start"], written: "start")) {
            if let since, t < since { return }
            if let until, t >= until { return }
        }
        if let filter, !filter.matches(subject) { return }
        counts.matched += 1
        try emit(Array(line), v)
    }
}

/// An archived event (a JSON object) as a filter sees it: `start` and `end` as times.
public struct EventObjectSubject: FilterSubject {
    /// The event object.
    public let object: JSONValue

    /// The value at `path`.
    public func filterValue(at path: FieldPath) -> FilterValue {
        if path.segments.count == 1, path.segments[0] == "start" || path.segments[0] == "end",
            var text = object[path.segments[0]]?.scalarText,
            let t = text.withUTF8({ TimestampParser(assumedYear: 1970).parseValue($0) })
        {
            return .time(t)
        }
        return object.value(at: path.segments).map(FilterValue.json) ?? .missing
    }
}
