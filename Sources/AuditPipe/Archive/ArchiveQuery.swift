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
        let lastDay = until.map { ArchiveLayout.day(of: $0 - 1) }
        for day in ArchiveLayout.archivedDays(root) {
            if let firstDay, day < firstDay { continue }
            if let lastDay, day > lastDay { continue }
            let path = ArchiveLayout.archiveFile(root, day: day)
            try CatalogDeadline.check(path)
            guard let gz = FileBytes.read(path) else {
                throw OutputError(path: path, message: "cannot read the archive (run auditpipe verify)")
            }
            let content: [UInt8]
            do throws(InputError) {
                content = try ArchivedDay.inflate(gz, name: path)
            } catch {
                throw OutputError(path: path, message: "damaged archive: \(error.message) (run auditpipe verify)")
            }
            counts.days += 1
            for line in ArchivedDay.lines(content) {
                counts.events += 1
                if counts.events & 1023 == 0 { try CatalogDeadline.check(path) }
                let bytes = Array(line)
                let v: JSONValue? = bytes.withUnsafeBufferPointer { b in
                    var s = JSONScanner(b, maxDepth: 64)
                    return try? s.parseValue(depth: 0)
                }
                guard let v else { continue }
                let subject = EventObjectSubject(object: v)
                if case .time(let t) = subject.filterValue(at: FieldPath(segments: ["start"], written: "start")) {
                    if let since, t < since { continue }
                    if let until, t >= until { continue }
                }
                if let filter, !filter.matches(subject) { continue }
                counts.matched += 1
                try emit(bytes, v)
            }
        }
        return counts
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
