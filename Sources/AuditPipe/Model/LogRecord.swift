/// What kind of line a record came from; API payload records rank first when an event picks its actor.
public enum RecordKind: UInt8, Sendable, Comparable {
    /// A gateway/API payload record: method, path, status, user, headers, body.
    case api
    /// An access-log line (nginx/Apache combined, OpenStack wsgi): method, path, status, client.
    case access
    /// An ordinary application log line.
    case log

    public static func < (lhs: RecordKind, rhs: RecordKind) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The name used in `--include-records` output.
    public var name: String {
        switch self {
        case .api: "api"
        case .access: "access"
        case .log: "log"
        }
    }
}

/// Who a record says acted: user, user id, client address, user agent.
public struct ActorFields: Sendable, Equatable {
    /// User name or login.
    public var user: String?
    /// Stable user id.
    public var userID: String?
    /// Client IP address.
    public var ip: String?
    /// HTTP User-Agent.
    public var userAgent: String?

    /// Creates actor fields.
    public init(user: String? = nil, userID: String? = nil, ip: String? = nil, userAgent: String? = nil) {
        self.user = user
        self.userID = userID
        self.ip = ip
        self.userAgent = userAgent
    }

    /// True when no field is set.
    public var isEmpty: Bool { user == nil && userID == nil && ip == nil && userAgent == nil }
}

/// The HTTP side of a record: request line, status, headers and payload.
public final class HTTPFields: Sendable {
    /// HTTP method, upper-cased.
    public let method: String?
    /// Concrete path without the query string (never a route template).
    public let path: String?
    /// Route template (`/api/v1/orders/{id}`, `/orders/:id`), as a framework logs the matched route.
    public let route: String?
    /// Query parameters as an object (from a JSON field or the URL's query string).
    public let query: JSONValue?
    /// Response status code.
    public let status: Int?
    /// Request headers as an object.
    public let headers: JSONValue?
    /// Request body / payload.
    public let body: JSONValue?

    /// Creates HTTP fields; a route template given as the path (`/orders/{id}`) is kept as `route` instead.
    public init(
        method: String?, path: String?, query: JSONValue?, status: Int?, headers: JSONValue?, body: JSONValue?,
        route: String? = nil
    ) {
        self.method = method
        if let path, RouteTemplate.isTemplate(path) {
            self.path = nil
            self.route = route ?? path
        } else {
            self.path = path
            self.route = route
        }
        self.query = query
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// One parsed log record: a line plus any continuation lines joined to it.
public struct LogRecord: Sendable {
    /// Event time in UTC nanoseconds (inherited from the previous record of the input when the line has none).
    public var time: Int64
    /// False when `time` was inherited rather than read from the record.
    public var timeKnown: Bool
    /// Normalized severity, when the record has one.
    public var level: LogLevel?
    /// Kind of line.
    public var kind: RecordKind
    /// True for records that end a request (an API response record).
    public var isEndMarker: Bool
    /// True when the record's clock was judged wrong (a lone outlier, see `SkewGuard`): `time` is then its
    /// input's reference time and `statedTime` the time the record gave.
    public var clockSkewed: Bool
    /// The time an outlier record stated (nil unless `clockSkewed`).
    public var statedTime: Int64?
    /// True for the first record of a confirmed jump back in time (a host clock stepped back): the
    /// event-time clock follows it back.
    public var clockReset: Bool
    /// Physical lines this record carries (1 + continuation lines).
    public var lineCount: Int32
    /// Where the record's first line came from.
    public var position: SourcePosition
    /// Merge order across inputs; breaks ties between equal times.
    public var sequence: Int64
    /// The request id used for correlation.
    public var requestID: String?
    /// The emitting service (field, log-file prefix or file name).
    public var service: String?
    /// Message text (kept when records are embedded or the record is an error).
    public var message: String?
    /// Actor fields found on the record.
    public var actor: ActorFields
    /// HTTP fields, for API payload and access-log records.
    public var http: HTTPFields?
    /// What the record says was done (CloudTrail `eventName`), when it says so.
    public var action: String?
    /// Entity named by the record itself (e.g. OpenStack `[instance: <uuid>]`).
    public var entityHint: EntityRef?
    /// Fields other than time, level, message and service (only kept with `--include-records`).
    public var extra: [JSONMember]?
    /// Values of the fields enrichment rules read, by capture index (nil when none are configured).
    public var captured: [JSONValue?]?
    /// The record's own lines, newline-separated (kept only by a checkpointed follow run, whose checkpoint
    /// carries the records of open groups).
    public var raw: [UInt8]?

    /// Creates a record at a position with everything else empty.
    public init(time: Int64, timeKnown: Bool, kind: RecordKind, position: SourcePosition) {
        self.time = time
        self.timeKnown = timeKnown
        self.level = nil
        self.kind = kind
        self.isEndMarker = false
        self.clockSkewed = false
        self.statedTime = nil
        self.clockReset = false
        self.lineCount = 1
        self.position = position
        self.sequence = 0
        self.requestID = nil
        self.service = nil
        self.message = nil
        self.actor = ActorFields()
        self.http = nil
        self.action = nil
        self.entityHint = nil
        self.extra = nil
        self.captured = nil
        self.raw = nil
    }
}

/// A typed reference to an entity (`report sales`, `instance d54b…`).
public struct EntityRef: Sendable, Equatable {
    /// Entity type, singular (`report`, `user`, `instance`).
    public var type: String?
    /// Entity id.
    public var id: String?

    /// Creates an entity reference.
    public init(type: String?, id: String?) {
        self.type = type
        self.id = id
    }
}

extension Array where Element == LogRecord {
    /// Hands each record to `body` in order, moved rather than copied (its slot is left holding an empty
    /// record), so a stage can consume a batch without retaining every field of every record.
    mutating func drainInOrder(_ body: (consuming LogRecord) -> Void) {
        let empty = LogRecord(
            time: 0, timeKnown: false, kind: .log, position: SourcePosition(input: 0, line: 0, offset: 0))
        withUnsafeMutableBufferPointer { buf in
            guard let base = buf.baseAddress else { return }
            for i in 0..<buf.count {
                let r = (base + i).move()
                (base + i).initialize(to: empty)
                body(r)
            }
        }
    }
}
