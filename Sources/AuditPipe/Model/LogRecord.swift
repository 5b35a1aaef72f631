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

/// The HTTP side of a record: request line, status and payload. (Its headers give the record's request id, user
/// agent and client address, read by the parser; they are not kept.)
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
    /// Request body / payload.
    public let body: JSONValue?

    /// Creates HTTP fields; a route template given as the path (`/orders/{id}`) is kept as `route` instead.
    public init(
        method: String?, path: String?, query: JSONValue?, status: Int?, body: JSONValue?,
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
    /// True for the first record of a confirmed jump back in time (a host clock stepped back): the
    /// event-time clock follows it back.
    public var clockReset: Bool
    /// How the record's line was read, for the run's diagnostics and the year roll (two bytes, in padding).
    var notes = ParseNotes()
    /// Its input's file name as 16 bits (`RecordMerger.nameKey`, stamped by the merge): ranks records of one
    /// time from several inputs alike whatever order the inputs came in (`RecordRank.place`).
    var nameKey: UInt16 = 0
    /// The request id is one `RequestIDRule.normalize` changes (padded, empty or too long), as found where the
    /// id was set: the joiner, on another core, then need not read the id's bytes (a cache miss a record). In
    /// the padding before `lineCount`.
    var idIrregular = false
    /// Physical lines this record carries (1 + continuation lines).
    public var lineCount: Int32
    /// Where the record's first line came from.
    public var position: SourcePosition
    /// Merge order across inputs; breaks ties between equal times.
    public var sequence: Int64
    /// The request id used for correlation.
    public var requestID: String? {
        get { storedRequestID }
        set {
            storedRequestID = newValue
            requestIDHash = RequestIDHash.of(newValue)
            idIrregular = newValue.map(RequestIDRule.changes) ?? false
        }
    }
    /// `requestID`'s storage. A stored property with a `didSet` made the record's initializers build it in a
    /// temporary and copy it out (an outlined copy and destroy of the whole record, ~430 instructions a record).
    private var storedRequestID: String?
    /// Moves the request id out, leaving the record without one but with its `requestIDHash` (a group takes its
    /// records' id without a copy).
    mutating func takeRequestID() -> String? { storedRequestID.take() }
    /// `RequestIDHash` of `requestID`, computed when the id is set (0 without one).
    var requestIDHash: UInt64
    /// The emitting service (field, log-file prefix or file name).
    public var service: String?
    /// Message text (kept when records are embedded or the record is an error).
    public var message: String?
    /// Actor fields found on the record.
    public var actor: ActorFields {
        get { ActorFields(user: actorUser, userID: actorUserID, ip: actorIP, userAgent: actorUserAgent) }
        set {
            actorUser = newValue.user
            actorUserID = newValue.userID
            actorIP = newValue.ip
            actorUserAgent = newValue.userAgent
        }
        _modify {
            var a = ActorFields(
                user: actorUser.take(), userID: actorUserID.take(), ip: actorIP.take(),
                userAgent: actorUserAgent.take())
            defer {
                actorUser = a.user
                actorUserID = a.userID
                actorIP = a.ip
                actorUserAgent = a.userAgent
            }
            yield &a
        }
    }
    /// `actor`'s fields, stored one by one: a stored `ActorFields` made each parsed line copy the struct into
    /// the record and destroy the original (outlined, ~11M instructions on dump10k), even when all four were nil.
    var actorUser: String?
    var actorUserID: String?
    var actorIP: String?
    var actorUserAgent: String?
    /// HTTP fields, for API payload and access-log records.
    public var http: HTTPFields?
    /// The fields most records lack, out of line: a record is copied several times on its way to its group,
    /// and each field kept inline would cost every copy its bytes and its reference count.
    fileprivate var rare: RareRecordFields?

    /// The time an outlier record stated (nil unless `clockSkewed`).
    public var statedTime: Int64? {
        get { rare?.statedTime }
        set {
            guard newValue != nil || rare != nil else { return }
            rareForWriting().statedTime = newValue
        }
    }
    /// What the record says was done (CloudTrail `eventName`), when it says so.
    public var action: String? {
        get { rare?.action }
        set {
            guard newValue != nil || rare != nil else { return }
            rareForWriting().action = newValue
        }
    }
    /// Entity named by the record itself (e.g. OpenStack `[instance: <uuid>]`).
    public var entityHint: EntityRef? {
        get { rare?.entityHint }
        set {
            guard newValue != nil || rare != nil else { return }
            rareForWriting().entityHint = newValue
        }
    }
    /// Fields other than time, level, message and service (only kept with `--include-records`).
    public var extra: [JSONMember]? {
        get { rare?.extra }
        set {
            guard newValue != nil || rare != nil else { return }
            rareForWriting().extra = newValue
        }
    }
    /// Values of the fields enrichment rules read, by capture index (nil when none are configured).
    public var captured: [JSONValue?]? {
        get { rare?.captured }
        set {
            guard newValue != nil || rare != nil else { return }
            rareForWriting().captured = newValue
        }
    }
    /// The record's own lines, newline-separated (kept only by a checkpointed follow run, whose checkpoint
    /// carries the records of open groups).
    public var raw: [UInt8]? {
        get { rare?.raw }
        set {
            guard newValue != nil || rare != nil else { return }
            rareForWriting().raw = newValue
        }
        _modify { yield &rareForWriting().raw }
    }

    /// The out-of-line fields, created or copied so this record alone holds them.
    private mutating func rareForWriting() -> RareRecordFields {
        if rare == nil {
            rare = RareRecordFields()
        } else if !isKnownUniquelyReferenced(&rare) {
            rare = rare!.copy()
        }
        return rare!
    }
}

extension LogRecord {
    /// Creates a record at a position with everything else empty.
    public init(time: Int64, timeKnown: Bool, kind: RecordKind, position: SourcePosition) {
        self.time = time
        self.timeKnown = timeKnown
        self.level = nil
        self.kind = kind
        self.isEndMarker = false
        self.clockSkewed = false
        self.clockReset = false
        self.lineCount = 1
        self.position = position
        self.sequence = 0
        self.storedRequestID = nil
        self.requestIDHash = 0
        self.service = nil
        self.message = nil
        self.actorUser = nil
        self.actorUserID = nil
        self.actorIP = nil
        self.actorUserAgent = nil
        self.http = nil
        self.rare = nil
    }

    /// A record with its fields given at once (a parser's record, made in one piece); `requestIDHash` is
    /// `RequestIDHash.of(requestID)` when the parser already has it; `user`, `userID`, `ip` and `userAgent` are
    /// `actor`'s fields, given one by one as they are stored. Made by the memberwise
    /// initializer: an initializer assigning `self`'s fields built the record in a temporary and copied it out
    /// (an outlined copy and destroy of the whole record per parsed line, ~430 instructions).
    static func parsed(
        time: Int64, timeKnown: Bool, level: LogLevel?, kind: RecordKind, isEndMarker: Bool, position: SourcePosition,
        requestID: String?, requestIDHash: UInt64?, service: String?, message: String?, user: String?,
        userID: String?, ip: String?, userAgent: String?, http: HTTPFields?, action: String?, entityHint: EntityRef?,
        extra: [JSONMember]?, captured: [JSONValue?]?,
        notes: ParseNotes = ParseNotes()
    ) -> LogRecord {
        let hash = requestIDHash ?? RequestIDHash.of(requestID)
        return LogRecord(
            time: time, timeKnown: timeKnown, level: level, kind: kind, isEndMarker: isEndMarker, clockSkewed: false,
            clockReset: false, notes: notes, nameKey: 0,
            idIrregular: requestID.map(RequestIDRule.changes) ?? false, lineCount: 1, position: position, sequence: 0,
            storedRequestID: requestID, requestIDHash: hash, service: service, message: message, actorUser: user,
            actorUserID: userID, actorIP: ip, actorUserAgent: userAgent, http: http,
            rare: RareRecordFields.holding(action: action, entityHint: entityHint, extra: extra, captured: captured))
    }
}

/// The fields of a `LogRecord` that most records lack, in one box shared by the record's copies until one of
/// them changes a field (it then gets its own box), so a record keeps value semantics.
private final class RareRecordFields: @unchecked Sendable {
    var statedTime: Int64?
    var action: String?
    var entityHint: EntityRef?
    var extra: [JSONMember]?
    var captured: [JSONValue?]?
    var raw: [UInt8]?

    init() {}

    /// A box of the given fields, or nil when there are none.
    static func holding(action: String?, entityHint: EntityRef?, extra: [JSONMember]?, captured: [JSONValue?]?)
        -> RareRecordFields?
    {
        if action == nil && entityHint == nil && extra == nil && captured == nil { return nil }
        let rare = RareRecordFields()
        rare.action = action
        rare.entityHint = entityHint
        rare.extra = extra
        rare.captured = captured
        return rare
    }

    func copy() -> RareRecordFields {
        let c = RareRecordFields()
        c.statedTime = statedTime
        c.action = action
        c.entityHint = entityHint
        c.extra = extra
        c.captured = captured
        c.raw = raw
        return c
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
    /// Hands the records of `range` to `body` in order, moved out rather than copied (each slot is left holding
    /// the bytes of a vacant record), so a stage consumes a batch, or a merge part of one, without retaining every
    /// field of every record and releasing it when the batch is dropped.
    mutating func takeRecords(_ range: Range<Int>, _ body: (consuming LogRecord) -> Void) {
        // A record of nils and numbers holds no reference, so its bytes can fill each emptied slot as they are:
        // initializing the slot with a copy of it ran the record's field-by-field copy (~230 instructions) for
        // every record of every batch, and making a vacant record in each slot cost more still (dump10k
        // 1,620.4M instructions this way, 1,656.7M that way). `VacantRecordTests` holds every field of a
        // record to an optional or a plain value, which is what makes the bytes safe to copy.
        let vacant = LogRecord(
            time: 0, timeKnown: false, kind: .log, position: SourcePosition(input: 0, line: 0, offset: 0))
        Swift.withUnsafeBytes(of: vacant) { vacantBytes in
            withUnsafeMutableBufferPointer { buf in
                guard let base = buf.baseAddress, let bytes = vacantBytes.baseAddress else { return }
                for i in range {
                    let r = (base + i).move()
                    UnsafeMutableRawPointer(base + i).copyMemory(from: bytes, byteCount: vacantBytes.count)
                    body(r)
                }
            }
        }
    }

    /// Hands each record to `body` in order, moved rather than copied (`takeRecords` over the whole array).
    mutating func drainInOrder(_ body: (consuming LogRecord) -> Void) {
        takeRecords(indices, body)
    }
}

/// How a record's line was read: which of the user's text patterns matched it, whether its time text was
/// unreadable, whether its year was assumed (`--year`) rather than written.
struct ParseNotes: Sendable, Equatable {
    /// The 1-based number of the text pattern that matched (capped at 255), or 0.
    var pattern: UInt8 = 0
    private var bits: UInt8 = 0

    /// A pattern's `time` group matched text that is no time auditpipe reads.
    var timeUnreadable: Bool {
        get { bits & 1 != 0 }
        set { bits = newValue ? bits | 1 : bits & ~1 }
    }

    /// The time had no year (syslog) and took the pinned `--year`: the joiner rolls it across New Year.
    var yearAssumed: Bool {
        get { bits & 2 != 0 }
        set { bits = newValue ? bits | 2 : bits & ~2 }
    }

    /// `filter --records`' filter cannot match the record, as its parse already found (`ExtrasGate`; a false
    /// verdict there is false for the finished record): the merge does not ask the filter again.
    var ruledOut: Bool {
        get { bits & 4 != 0 }
        set { bits = newValue ? bits | 4 : bits & ~4 }
    }
}
