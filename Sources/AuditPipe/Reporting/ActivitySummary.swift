/// Activity per node (a path prefix of `entity.id`, to a chosen depth) or per user, counted from audit
/// events as Pydio Cells' workspace activity view shows it: reads, writes, other actions, distinct users
/// (or nodes), the last write and the last activity.
public struct ActivitySummary {
    /// What rows are keyed by.
    public enum Grouping: String, Sendable, CaseIterable {
        case node
        case user
    }

    /// One row.
    public struct Row: Sendable, Equatable {
        public var key: String
        public var reads = 0
        public var writes = 0
        public var other = 0
        /// Distinct users of a node, or distinct nodes of a user.
        public var distinct = 0
        /// Start of the last write, UTC nanoseconds.
        public var lastUpdate: Int64?
        /// End of the last event, UTC nanoseconds.
        public var lastActivity: Int64 = .min
    }

    /// Actions that read.
    public static let readActions: Set<String> = [
        "read", "view", "download", "export", "print", "preview", "list", "get", "watch", "search",
    ]
    /// Actions that write.
    public static let writeActions: Set<String> = [
        "create", "update", "patch", "upload", "delete", "move", "copy", "rename", "restore", "write", "import",
        "share", "unshare", "deletecollection",
    ]

    private let grouping: Grouping
    private let depth: Int
    private var rows: [String: Row] = [:]
    private var seen: [String: Set<String>] = [:]
    /// Events without the key field (no node, or no user), not counted in any row.
    public private(set) var skipped = 0
    /// Lines that were not event objects.
    public private(set) var unreadable = 0

    /// A summary keyed by `grouping`; node keys keep the first `depth` segments of the path.
    public init(by grouping: Grouping, depth: Int) {
        self.grouping = grouping
        self.depth = max(1, depth)
    }

    /// The node key of a path: its first `depth` segments (`common-files/projects/q4/report.pdf`, depth 2 →
    /// `common-files/projects`).
    public static func prefix(_ path: String, depth: Int) -> String {
        path.split(separator: "/").prefix(depth).joined(separator: "/")
    }

    /// Counts one event line (a JSON object as auditpipe writes it).
    public mutating func add(line: ArraySlice<UInt8>) {
        let parsed: JSONValue? = line.withUnsafeBufferPointer { b in
            var s = JSONScanner(b, maxDepth: 64)
            s.skipWhitespace()
            return try? s.parseValue(depth: 0)
        }
        guard let event = parsed, case .object = event, let end = event["end"]?.scalarText,
            let endTime = FilterLiteralTime.parse(end)
        else {
            unreadable += 1
            return
        }
        let user = event["actor"]?["user"]?.scalarText
        let node = event["entity"]?["id"]?.scalarText.map { Self.prefix($0, depth: depth) }
        let (key, other) = grouping == .node ? (node, user) : (user, node)
        guard let key, !key.isEmpty else {
            skipped += 1
            return
        }
        var row = rows[key] ?? Row(key: key)
        let action = event["action"]?.scalarText?.lowercased() ?? ""
        if Self.readActions.contains(action) {
            row.reads += 1
        } else if Self.writeActions.contains(action) {
            row.writes += 1
            let start = event["start"]?.scalarText.flatMap(FilterLiteralTime.parse) ?? endTime
            row.lastUpdate = max(row.lastUpdate ?? start, start)
        } else {
            row.other += 1
        }
        row.lastActivity = max(row.lastActivity, endTime)
        if let other {
            seen[key, default: []].insert(other)
            row.distinct = seen[key]!.count
        }
        rows[key] = row
    }

    /// The rows, by key.
    public var sortedRows: [Row] { rows.values.sorted { $0.key < $1.key } }

    /// Column titles: the key, then the counts.
    public var titles: [String] {
        [
            grouping.rawValue, "reads", "writes", "other", grouping == .node ? "users" : "nodes", "last_update",
            "last_activity",
        ]
    }

    /// A row as cells (times in RFC 3339, an empty cell for no write).
    public static func cells(_ r: Row) -> [String] {
        [
            r.key, String(r.reads), String(r.writes), String(r.other), String(r.distinct),
            r.lastUpdate.map(UTCTime.rfc3339Millis) ?? "", UTCTime.rfc3339Millis(r.lastActivity),
        ]
    }

    /// The rows as a JSON array of objects.
    public func json() -> JSONValue {
        .array(
            sortedRows.map { r in
                .object([
                    JSONMember(grouping.rawValue, .string(r.key)), JSONMember("reads", .number(String(r.reads))),
                    JSONMember("writes", .number(String(r.writes))), JSONMember("other", .number(String(r.other))),
                    JSONMember(grouping == .node ? "users" : "nodes", .number(String(r.distinct))),
                    JSONMember("last_update", r.lastUpdate.map { .string(UTCTime.rfc3339Millis($0)) } ?? .null),
                    JSONMember("last_activity", .string(UTCTime.rfc3339Millis(r.lastActivity))),
                ])
            })
    }

    /// The rows as CSV (RFC 4180, a header row, formula cells neutralised).
    public func csv() -> [UInt8] {
        var out: [UInt8] = []
        CSVSink.appendRow(titles, to: &out)
        for r in sortedRows { CSVSink.appendRow(Self.cells(r).map(CSVSink.neutralised), to: &out) }
        return out
    }

    /// Reads every line of an events file (gzip or plain) or `-`, calling `body` with each.
    public static func forEachLine(in path: String, _ body: (ArraySlice<UInt8>) -> Void) throws(InputError) {
        var source = try InputStage.open(InputSpec(path: path), control: RunControl())
        defer { source.close() }
        var buffer: [UInt8] = []
        var start = 0
        while true {
            let n = try source.read(into: &buffer, max: 1 << 20)
            var i = start
            while let nl = buffer[i...].firstIndex(of: 10) {
                if nl > start { body(buffer[start..<nl]) }
                start = nl + 1
                i = start
            }
            if n == 0 { break }
            buffer.removeSubrange(0..<start)
            start = 0
        }
        if start < buffer.count { body(buffer[start...]) }
    }
}
