/// What a field means to auditpipe, whatever the logger called it.
enum FieldRole: Sendable, Equatable {
    case time(rank: Int)
    case level
    case message
    case service(rank: Int)
    case requestID(rank: Int)
    case traceparent(rank: Int)
    case user, userID, ip, userAgent
    case method, path, url, query, status, headers, body
    /// The matched route template (`http.route`, `/orders/{id}`): kept as the route, never as the path.
    case route
    case stage
    /// An access log's request line (`GET /path?q HTTP/1.1`, nginx `$request`); as an object, a container.
    case requestLine
    /// The type and the id of the object a record acts on (Kubernetes `objectRef.resource` / `.name`).
    case entityType, entityID
    /// What the record says was done (CloudTrail `eventName`), and an error it reports (`errorCode`, `errorMessage`).
    case action, errorCode, errorMessage
    /// An object whose members are looked up as `key.member`.
    case container

    /// Roles read from `key=value` tokens inside free text (not time or message: the line gives those).
    var isPlainTextKey: Bool {
        switch self {
        case .time, .message, .container: false
        default: true
        }
    }

    /// True for `.container`.
    @inline(__always)
    var isContainer: Bool {
        if case .container = self { return true }
        return false
    }

    /// Time, level, message and service: shown on their own in embedded records, not among `fields`.
    var isCore: Bool {
        switch self {
        case .time, .level, .message, .service: true
        default: false
        }
    }
}

/// The request-id field names tried first to last when none are configured (DESIGN.md "Correlation").
public let defaultRequestIDFields = [
    "request_id", "requestId", "request-id", "x_request_id", "x-request-id", "X-Request-Id", "RequestID",
    "RequestId", "req_id", "reqId", "trace_id", "traceId",
]

/// Field names (dotted for nesting) of common loggers and gateways mapped to roles.
struct FieldRoleTable: Sendable {
    let table: ByteKeyTable<FieldRole>
    /// The names of `table` of up to 16 bytes (nearly every key a log line holds), looked up without a hash.
    let short: ShortKeyRoles
    /// Request-id header names looked up case-insensitively in an API record's headers.
    let headerIDNames: [String]
    /// Fields enrichment rules read, by capture index; their parent objects map to -1 (descend into them).
    let captures: ByteKeyTable<Int>?
    /// Number of captured fields.
    let captureCount: Int
    /// Every name in `table` with its role.
    private let names: [(String, FieldRole)]

    init(idFields: [String], captureFields: [String] = []) {
        var pairs: [(String, FieldRole)] = []
        for (rank, name) in idFields.enumerated() { pairs.append((name, .requestID(rank: rank))) }
        let n = idFields.count
        pairs.append(("traceparent", .traceparent(rank: n)))
        for (i, name) in ["auditID", "requestID", "trace.id", "SpanRootUuid", "SpanUuid"].enumerated() {
            pairs.append((name, .requestID(rank: n + 1 + i)))
        }
        let times = [
            "timestamp", "time", "ts", "@timestamp", "datetime", "date", "eventTime", "stageTimestamp",
            "requestReceivedTimestamp", "Time", "Timestamp", "startedDateTime", "start_time", "time_iso8601",
            "time_local",
        ]
        for (rank, name) in times.enumerated() { pairs.append((name, .time(rank: rank))) }
        for name in ["level", "severity", "lvl", "loglevel", "levelname", "log.level", "Level", "severity_text"] {
            pairs.append((name, .level))
        }
        for name in ["msg", "message", "Msg", "Message", "event"] { pairs.append((name, .message)) }
        let services = [
            "service", "service.name", "service_name", "app", "application", "component", "svc", "name", "eventSource",
            "logger",
        ]
        for (rank, name) in services.enumerated() { pairs.append((name, .service(rank: rank))) }
        let users = [
            "user", "username", "user_name", "userName", "UserName", "login", "user.name", "user.username",
            "user.login", "user.email", "actor", "userIdentity.userName",
            "userIdentity.sessionContext.sessionIssuer.userName",
        ]
        for name in users { pairs.append((name, .user)) }
        for name in ["user_id", "userId", "userID", "uid", "UserId", "user.id", "user.uid", "userIdentity.arn"] {
            pairs.append((name, .userID))
        }
        let ips = [
            "ip", "client_ip", "clientIp", "clientIP", "remote_addr", "remote_ip", "remoteAddr", "remoteAddress",
            "source_ip", "sourceIP", "sourceIPs", "sourceIPAddress", "client.ip", "client.address",
            "RemoteAddress", "req.remoteAddress", "request.ip", "http.client_ip", "x-forwarded-for",
            "downstream_remote_address",
        ]
        for name in ips { pairs.append((name, .ip)) }
        let agents = [
            "user_agent", "userAgent", "ua", "http_user_agent", "user_agent.original", "UserAgent",
            "http.user_agent", "user-agent",
        ]
        for name in agents { pairs.append((name, .userAgent)) }
        let methods = [
            "method", "http_method", "request_method", "http.method", "http.request.method", "req.method",
            "request.method", "verb",
        ]
        for name in methods { pairs.append((name, .method)) }
        for name in ["path", "uri", "request_uri", "url.path", "http.path", "http.target", "request.path"] {
            pairs.append((name, .path))
        }
        for name in ["route", "http.route", "url.template", "route_path", "routePath"] { pairs.append((name, .route)) }
        for name in ["url", "request_url", "http.url", "url.original", "req.url", "request.url", "requestURI"] {
            pairs.append((name, .url))
        }
        let queries = ["query", "params", "query_params", "queryParams", "url.query", "request.query", "req.query"]
        for name in queries { pairs.append((name, .query)) }
        let statuses = [
            "status", "status_code", "statusCode", "http_status", "http.status_code", "http.response.status_code",
            "res.statusCode", "response.status", "response.status_code", "responseStatus.code", "response_code",
        ]
        for name in statuses { pairs.append((name, .status)) }
        for name in ["headers", "request_headers", "req.headers", "request.headers", "http.request.headers"] {
            pairs.append((name, .headers))
        }
        for name in ["body", "payload", "request_body", "requestBody", "req.body", "request.body"] {
            pairs.append((name, .body))
        }
        pairs.append(("stage", .stage))
        pairs.append(("request", .requestLine))
        pairs.append(("eventName", .action))
        pairs.append(("errorCode", .errorCode))
        pairs.append(("errorMessage", .errorMessage))
        pairs.append(("objectRef.resource", .entityType))
        pairs.append(("objectRef.name", .entityID))
        for name in [
            "http", "http.request", "http.response", "req", "res", "response", "responseStatus", "client",
            "log", "trace", "objectRef", "userIdentity", "userIdentity.sessionContext",
            "userIdentity.sessionContext.sessionIssuer",
        ] {
            pairs.append((name, .container))
        }
        table = ByteKeyTable(pairs)
        short = ShortKeyRoles(pairs)
        names = pairs
        captureCount = captureFields.count
        if captureFields.isEmpty {
            captures = nil
        } else {
            var capturePairs: [(String, Int)] = []
            var parents = Set<String>()
            for (i, name) in captureFields.enumerated() {
                capturePairs.append((name, i))
                var prefix = Substring(name)
                while let dot = prefix.lastIndex(of: ".") {
                    prefix = prefix[..<dot]
                    parents.insert(String(prefix))
                }
            }
            for p in parents.sorted() where !captureFields.contains(p) { capturePairs.append((p, -1)) }
            captures = ByteKeyTable(capturePairs)
        }
        headerIDNames = (idFields + ["x-correlation-id"]).map { $0.lowercased() }
    }

    @inline(__always)
    func role(_ key: UnsafeBufferPointer<UInt8>) -> FieldRole? {
        let n = key.count
        guard n >= 1, n <= ShortKeyRoles.longest, let p = key.baseAddress else { return table.lookup(key) }
        let (first, last) = ShortKeyRoles.words(UnsafeRawPointer(p), n)
        return short.role(first: first, last: last, count: n)
    }

    /// `role(_:)` of the `n` bytes at `start` of `line`, which may be read past them up to its end.
    @inline(__always)
    func role(in line: UnsafeBufferPointer<UInt8>, at start: Int, count n: Int) -> FieldRole? {
        guard n >= 1, n <= ShortKeyRoles.longest else { return longRole(in: line, at: start, count: n) }
        return short.role(in: line, at: start, count: n)
    }

    /// `role(in:at:count:)` of a key of no or more than 16 bytes, kept out of line so that the short case inlines.
    @inline(never)
    private func longRole(in line: UnsafeBufferPointer<UInt8>, at start: Int, count n: Int) -> FieldRole? {
        table.lookup(UnsafeBufferPointer(rebasing: line[start..<(start + n)]))
    }

    /// The objects a parse that reads only `mask`'s roles must descend into: every dotted prefix of a name whose
    /// role is in `mask` (`user` for `user.name`). Other objects are validated and skipped whole.
    func containers(holding mask: RoleMask) -> ByteKeyTable<Bool> {
        var prefixes = Set<String>()
        for (name, role) in names where mask.contains(role) {
            var prefix = Substring(name)
            while let dot = prefix.lastIndex(of: ".") {
                prefix = prefix[..<dot]
                prefixes.insert(String(prefix))
            }
        }
        return ByteKeyTable(prefixes.sorted().map { ($0, true) })
    }
}
