/// One audit event: who did what to which entity, when, from where, with what outcome, across which services.
/// Field order in JSON is fixed (DESIGN.md "Audit event").
public struct AuditEvent: Sendable {
    /// Who acted.
    public struct Actor: Sendable, Equatable {
        public var user: String?
        public var userID: String?
        public var ip: String?
        public var userAgent: String?
        /// `ui`, `cli`, `api`, `webhook` or `system`, from the user agent and user.
        public var origin: String?
        /// From a user directory join (written only when a directory is configured, `roles` non-nil).
        public var name: String?
        public var email: String?
        public var roles: [String]?
    }

    /// What was acted on.
    public struct Entity: Sendable, Equatable {
        public var type: String?
        public var id: String?
        public var name: String?
    }

    /// Data access (export, print, download), as Frappe's Access Log records it.
    public struct Access: Sendable, Equatable {
        public var kind: String
        public var fileType: String?
        public var reportName: String?
        public var filters: JSONValue?
        public var columns: JSONValue?
        public var document: String?
        public var exportFrom: String?
    }

    /// How the request ended.
    public struct Outcome: Sendable, Equatable {
        public var status: Int?
        /// `success`, `failure` (4xx), `error` (5xx or error logs) or `unknown`.
        public var result: String
        public var error: String?
    }

    /// The API call, with its query and payload redacted.
    public struct API: Sendable, Equatable {
        public var method: String?
        /// The concrete path, without the query string.
        public var path: String?
        /// The route template the request matched (`/api/v1/orders/{id}`), when a record logged it.
        public var route: String?
        public var query: JSONValue?
        public var payload: JSONValue?
    }

    /// Stable id derived from request id, start and part (so archives can de-duplicate).
    public var eventID: String
    public var requestID: String?
    /// First record time, UTC nanoseconds.
    public var start: Int64
    /// Last record time, UTC nanoseconds.
    public var end: Int64
    public var actor: Actor
    public var action: String?
    public var entity: Entity
    public var access: Access?
    public var outcome: Outcome
    public var api: API?
    /// Services in order of first appearance.
    public var services: [String]
    /// Number of records in the event.
    public var records: Int
    /// Record counts per level, most verbose first.
    public var levels: [(LogLevel, Int)]
    public var links: [JSONMember]
    public var flags: EventFlags
    /// The records themselves, with `--include-records`, ordered by time then input order.
    public var entries: [JSONValue]?

    /// Whole milliseconds from start to end.
    public var durationMillis: Int { Int(end.minus(saturating: start) / 1_000_000) }
}
