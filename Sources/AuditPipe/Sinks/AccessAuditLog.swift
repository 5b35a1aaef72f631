import Synchronization

/// Writes what a reader of the archive saw or took away (a details view, an export) as audit events of the
/// usual schema, as Frappe logs its exports: appended to the live day file `events-YYYY-MM-DD.jsonl` of a
/// directory under the live-file lock and released (fsynced and closed) after each event, so `auditpipe
/// archive` can archive it like any other live directory.
public final class AccessAuditLog: Sendable {
    /// One read of the archive.
    public struct Entry: Sendable {
        /// The signed-in user.
        public var user: String
        /// `view`, `export` or `sign-in` (a refused one: the user is the name tried).
        public var action: String
        /// The file type of an export (`CSV`, `XLSX`, `JSONL`) or of a view (`JSON`).
        public var fileType: String
        /// The filter in force: expression, time range and free text.
        public var filters: JSONValue
        /// The event viewed, for a details view.
        public var document: String?
        /// `ui` when the page asked, `api` otherwise.
        public var origin: String
        /// The client's address.
        public var ip: String?
        /// The client's user agent.
        public var userAgent: String?
        /// The request path.
        public var path: String
        /// The request's query parameters.
        public var query: JSONValue?
        /// The HTTP status answered.
        public var status: Int

        /// Creates an entry.
        public init(
            user: String, action: String, fileType: String, filters: JSONValue, document: String?, origin: String,
            ip: String?, userAgent: String?, path: String, query: JSONValue?, status: Int
        ) {
            self.user = user
            self.action = action
            self.fileType = fileType
            self.filters = filters
            self.document = document
            self.origin = origin
            self.ip = ip
            self.userAgent = userAgent
            self.path = path
            self.query = query
            self.status = status
        }
    }

    /// The live directory written to.
    public let directory: String
    private let sink: Mutex<DailyJSONLSink>

    /// Writes into `directory` (created when missing; throws when it cannot be).
    public init(directory: String) throws(OutputError) {
        self.directory = directory
        sink = Mutex(try DailyJSONLSink(directory: directory, releaseAfter: 0))
    }

    /// Writes `entry` as one event started at `time` (UTC ns) for request `requestID`; durable on return.
    public func record(_ entry: Entry, requestID: String, time: Int64) throws(OutputError) {
        let event = Self.event(entry, requestID: requestID, time: time)
        try sink.withLock { (s: inout DailyJSONLSink) throws(OutputError) in
            try s.write([event])
            try s.close()
        }
    }

    /// The audit event of an entry.
    static func event(_ entry: Entry, requestID: String, time: Int64) -> AuditEvent {
        let isExport = entry.action == "export"
        let isSignIn = entry.action == "sign-in"
        // Redacted like every other event: a token or password in a URL or a filter is not kept.
        let redactor = Redactor()
        return AuditEvent(
            eventID: EventID.make(requestID: requestID, sourceName: "auditpipe-serve", offset: 0, start: time, part: 0),
            requestID: requestID,
            start: time,
            end: time,
            actor: AuditEvent.Actor(
                user: entry.user, userID: nil, ip: entry.ip, userAgent: entry.userAgent, origin: entry.origin),
            action: entry.action,
            entity: AuditEvent.Entity(
                type: isExport ? "report" : isSignIn ? "user" : "event",
                id: isExport ? "events" : isSignIn ? entry.user : entry.document, name: nil),
            access: AuditEvent.Access(
                kind: isExport ? "export" : isSignIn ? "sign-in" : "view", fileType: entry.fileType,
                reportName: isExport ? "events" : nil,
                filters: redactor.redact(entry.filters), columns: nil, document: entry.document,
                exportFrom: "auditpipe serve"),
            outcome: AuditEvent.Outcome(
                status: entry.status, result: entry.status < 400 ? "success" : "failure", error: nil),
            api: AuditEvent.API(
                method: "GET", path: entry.path, route: nil, query: entry.query.map { redactor.redact($0) },
                payload: nil),
            services: ["auditpipe-serve"],
            records: 1,
            levels: [(.info, 1)],
            links: [],
            flags: [],
            entries: nil)
    }
}
