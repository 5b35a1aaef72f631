/// Gathers the fields of one structured line (JSON or logfmt) by role, then builds the `LogRecord`.
struct FieldCollector {
    var time: Int64?
    var timeRank = Int.max
    /// How the line was read (its pattern, an unreadable time, an assumed year), handed to the record.
    var notes = ParseNotes()
    var level: LogLevel?
    var messageBytes: UnsafeBufferPointer<UInt8>?
    var messageString: String?
    var service: String?
    var serviceRank = Int.max
    /// The request id found so far; setting it forgets `requestIDHash` (the hash is of the bytes it was read from).
    var requestID: String? {
        get { storedRequestID }
        set {
            storedRequestID = newValue
            requestIDHash = nil
        }
    }
    private var storedRequestID: String?
    /// `RequestIDHash` of `requestID`, when it was computed from the id's bytes as they were read (the record then
    /// does not hash the `String` again).
    private(set) var requestIDHash: UInt64?
    var idRank = Int.max
    /// The actor's fields, kept apart (not as an `ActorFields`, whose initializer cost every collector a copy).
    var user: String?
    var userID: String?
    var ip: String?
    var userAgent: String?
    var method: String?
    var path: String?
    var url: String?
    var route: String?
    var query: JSONValue?
    var status: Int?
    var headers: JSONValue?
    /// True when the headers object was read in place, its members a record reads in `headerSpans` (no
    /// `headers` tree).
    var headersInPlace = false
    /// The members of a headers object read in place, in order (kept with their capacity from line to line).
    var headerSpans: [HeaderSpan] = []
    /// True once a headers value was taken (the first one given wins).
    var hasHeaders: Bool { headers != nil || headersInPlace }
    var body: JSONValue?
    var endStage = false
    /// A status without a method and path still makes HTTP fields (a text pattern's `status` group): the
    /// outcome's status. A JSON or logfmt `status` alone stays a plain field.
    var statusAlone = false
    var action: String?
    var errorCode: String?
    var errorMessage: String?
    var entityType: String?
    var entityID: String?
    var extra: [JSONMember] = []
    /// Values of the fields enrichment rules read, by capture index (empty when none are configured).
    var captured: [JSONValue?] = []

    /// Empties the collector as a new one is, so a parser keeps one for all its lines. Dropping a collector
    /// released each of its sixteen optional strings whether it held one or not (~430 instructions a line); here
    /// a field is set back only when it holds something. `FieldCollectorClearTests` holds it to every field.
    mutating func clear() {
        @inline(__always) func empty<T>(_ v: inout T?) { if v != nil { v = nil } }
        time = nil
        timeRank = .max
        notes = ParseNotes()
        level = nil
        messageBytes = nil
        empty(&messageString)
        empty(&service)
        serviceRank = .max
        empty(&storedRequestID)
        requestIDHash = nil
        idRank = .max
        empty(&user)
        empty(&userID)
        empty(&ip)
        empty(&userAgent)
        empty(&method)
        empty(&path)
        empty(&url)
        empty(&route)
        empty(&query)
        status = nil
        empty(&headers)
        headersInPlace = false
        if !headerSpans.isEmpty { headerSpans.removeAll(keepingCapacity: true) }
        empty(&body)
        endStage = false
        statusAlone = false
        empty(&action)
        empty(&errorCode)
        empty(&errorMessage)
        empty(&entityType)
        empty(&entityID)
        if !extra.isEmpty { extra = [] }
        if !captured.isEmpty { captured = [] }
    }

    /// Keeps a captured field's value (first wins).
    mutating func capture(_ index: Int, _ value: JSONValue, count: Int) {
        if captured.isEmpty { captured = Array(repeating: nil, count: count) }
        if captured[index] == nil { captured[index] = value }
    }

    /// Takes a text value (string content or number text) for `role`; the `String` it becomes is shared with an
    /// equal recent value when the parse worker keeps them (`recent`).
    @inline(__always)
    mutating func offer(
        _ role: FieldRole, _ v: UnsafeBufferPointer<UInt8>, timestamps: TimestampParser, recent: RecentStrings? = nil
    ) {
        if case .time(let rank) = role {
            offerTime(rank: rank, v, timestamps: timestamps)
        } else {
            offer(role, v, recent: recent)
        }
    }

    /// Takes a time value of rank `rank` (a lower rank wins).
    mutating func offerTime(rank: Int, _ v: UnsafeBufferPointer<UInt8>, timestamps: TimestampParser) {
        if rank < timeRank, let t = timestamps.parseValue(v) {
            time = t
            timeRank = rank
            notes.yearAssumed = timestamps.assumesYear && TimestampParser.startsYearless(v)
        }
    }

    /// `offer(_:_:timestamps:recent:)` for a role other than a time (ignored here): the JSON scan calls it without
    /// the parser's `TimestampParser`, which each call copied (56 bytes), for the three values of four that are
    /// no time.
    mutating func offer(_ role: FieldRole, _ v: UnsafeBufferPointer<UInt8>, recent: RecentStrings?) {
        // Reached without a reference count: the caller's `recent` outlives the call (a retain and a release were
        // made around each shared string).
        let shared = recent.map { Unmanaged.passUnretained($0) }
        @inline(__always) func text(_ v: UnsafeBufferPointer<UInt8>) -> String {
            if let shared { return shared._withUnsafeGuaranteedRef { $0.string(v) } }
            return Self.string(v)
        }
        switch role {
        case .time: break
        case .level:
            if level == nil { level = LogLevel.parse(v) ?? Self.int(v).flatMap(LogLevel.fromNumber) }
        case .message:
            if messageBytes == nil && messageString == nil { messageBytes = v }
        case .service(let rank):
            if rank < serviceRank, !v.isEmpty {
                service = text(v)
                serviceRank = rank
            }
        case .requestID(let rank):
            if rank < idRank, !v.isEmpty, !Self.isPlaceholder(v) {
                // One hash of the bytes serves the worker's table and the record: an ASCII id's `String` has
                // these very bytes, so `RequestIDHash.of` would give the same value.
                let raw = UnsafeRawBufferPointer(v)
                let h = RequestIDHash.hash(raw)
                storedRequestID = shared?._withUnsafeGuaranteedRef { $0.string(v, hash: h) } ?? Self.string(v)
                requestIDHash = RequestIDHash.isASCII(raw) ? h : nil
                idRank = rank
            }
        case .traceparent(let rank):
            if rank < idRank, let id = Self.traceID(fromTraceparent: v) {
                storedRequestID = id
                // The id is the 32 hex digits at 3..<35, as they are.
                requestIDHash = RequestIDHash.hash(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: v[3..<35])))
                idRank = rank
            }
        case .user: if user == nil, !v.isEmpty, !Self.isPlaceholder(v) { user = text(v) }
        case .userID: if userID == nil, !v.isEmpty, !Self.isPlaceholder(v) { userID = text(v) }
        case .ip: if ip == nil, !v.isEmpty, !Self.isPlaceholder(v) { ip = Self.firstAddress(v) }
        case .userAgent:
            if userAgent == nil, !v.isEmpty, !Self.isPlaceholder(v) { userAgent = text(v) }
        case .method: if method == nil, !v.isEmpty { method = Self.upperCased(v) }
        // A template offered as a path or URL (`/orders/{id}`) is the route, not the path.
        case .path, .url, .route:
            guard !v.isEmpty else { return }
            if role == .route || RouteTemplate.isTemplate(v) {
                if route == nil { route = text(v) }
            } else if role == .path {
                if path == nil { path = text(v) }
            } else if url == nil {
                url = text(v)
            }
        case .query: if query == nil { query = QueryString.parse(Self.string(v)) }
        case .status: if status == nil { status = Self.int(v).flatMap { (100...599).contains($0) ? $0 : nil } }
        case .headers: if !hasHeaders { headers = .string(Self.string(v)) }
        case .body: if body == nil { body = .string(Self.string(v)) }
        case .stage: if ByteScanning.equals(v, "ResponseComplete") { endStage = true }
        case .requestLine:
            // `METHOD target PROTOCOL`: the method and the target, as an access log's request.
            let parts = Self.string(v).split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, method == nil, url == nil, parts[0].allSatisfy({ $0.isLetter }) {
                method = parts[0].uppercased()
                let target = String(parts[1])
                if !RouteTemplate.isTemplate(target) {
                    url = target
                } else if route == nil {
                    route = target
                }
            }
        case .action: if action == nil, !v.isEmpty { action = text(v) }
        case .errorCode: if errorCode == nil, !v.isEmpty { errorCode = text(v) }
        case .errorMessage: if errorMessage == nil, !v.isEmpty { errorMessage = text(v) }
        case .entityType: if entityType == nil, !v.isEmpty { entityType = text(v) }
        case .entityID: if entityID == nil, !v.isEmpty { entityID = text(v) }
        case .container: break
        }
    }

    /// Takes a decoded string (a JSON string with escapes, a quoted logfmt value) for `role`.
    mutating func offer(_ role: FieldRole, string: String, timestamps: TimestampParser) {
        if case .message = role {
            if messageBytes == nil && messageString == nil { messageString = string }
            return
        }
        string.withUTF8Bytes { offer(role, $0, timestamps: timestamps) }
    }

    /// Takes a structured value for `role` (query, headers, body objects; arrays of addresses).
    mutating func offer(_ role: FieldRole, tree: JSONValue, timestamps: TimestampParser) {
        switch role {
        case .query: if query == nil { query = tree }
        case .headers: if !hasHeaders { headers = tree }
        case .body: if body == nil { body = tree }
        default:
            if case .array(let items) = tree, let first = items.first?.scalarText {
                offer(role, string: first, timestamps: timestamps)
            }
        }
    }

    /// Builds the record, moving the collected fields into it; `keepMessage` keeps message text even for
    /// non-error records; a record left without a request id takes its `compositeKey` values joined
    /// (`LineParser.compositeID`). Inlined into its four callers: a call made the record in a temporary and
    /// copied it out (dump10k: 11.6M instructions of 1,578.8M). The collector is left emptied.
    @inline(__always)
    mutating func build(
        position: SourcePosition, inheritedTime: Int64, service fallbackService: String?, keepMessage: Bool,
        keepExtra: Bool, headerIDNames: [String], compositeKey: [Int] = []
    ) -> LogRecord {
        // An API payload record names a concrete request; a line with only a route template ("request
        // received" with `route`) is a log line, whose HTTP fields rank below the API record's.
        let isAPI = method != nil && (path != nil || url != nil)
        // The fields are worked out first and the record made once at the end: building it field by field
        // made the compiler copy the whole record twice.
        var recordLevel = level
        var message: String?
        if keepMessage || (level ?? .info) >= .error {
            if let m = messageBytes { message = Self.string(m) } else { message = messageString }
        }
        var http: HTTPFields?
        var isEndMarker = false
        if isAPI || route != nil || (statusAlone && status != nil) {
            var p = path
            var q = query
            // A query string logged in the path (`/reports/sales/export?format=csv`) is the query.
            if let path, Self.hasQueryOrFragment(path) {
                let (sp, sq) = QueryString.split(url: path)
                p = sp
                if q == nil, let sq { q = QueryString.parse(sq) }
            }
            if let url {
                let (up, uq) = QueryString.split(url: url)
                if p == nil { p = up }
                if q == nil, let uq { q = QueryString.parse(uq) }
            }
            if requestID == nil, hasHeaders { requestID = header(headerIDNames) }
            if requestID == nil, hasHeaders, let tp = header(["traceparent"]) {
                var tp = tp
                requestID = tp.withUTF8 { Self.traceID(fromTraceparent: $0) }
            }
            if userAgent == nil, hasHeaders { userAgent = header(["user-agent"]) }
            if ip == nil, hasHeaders, let fwd = header(["x-forwarded-for", "x-real-ip"]) {
                var fwd = fwd
                ip = fwd.withUTF8 { Self.firstAddress($0) }
            }
            http = HTTPFields(
                method: method, path: p, query: q, status: status, body: body, route: route)
            isEndMarker = isAPI && status != nil
        }
        if endStage { isEndMarker = true }
        if let errorCode {
            // A service's error code (CloudTrail `AccessDenied`) makes the record an error with that message.
            if (recordLevel ?? .info) < .error { recordLevel = .error }
            message = errorMessage.map { "\(errorCode): \($0)" } ?? errorCode
        }
        var entityHint: EntityRef?
        // An id without a type is kept: the route's entity type goes with it (a text pattern's `entity_id`).
        if entityType != nil || entityID != nil {
            entityHint = EntityRef(type: entityType.map { RouteClassifier.singular($0.lowercased()) }, id: entityID)
        }
        // Set here, so that a parser returns the built record as it is.
        if requestID == nil && !compositeKey.isEmpty {
            requestID = LineParser.compositeID(captured.isEmpty ? nil : captured, compositeKey)
        }
        // A key given twice: the record's fields took its first value, `fields` keeps its last.
        if keepExtra { extra.keepLastOfEachKey() }
        // The strings are moved out (`take`), not copied: the collector is dropped right after.
        return LogRecord.parsed(
            time: time ?? inheritedTime, timeKnown: time != nil, level: recordLevel, kind: isAPI ? .api : .log,
            isEndMarker: isEndMarker, position: position, requestID: storedRequestID.take(),
            requestIDHash: requestIDHash,
            service: service.take() ?? fallbackService, message: message,
            user: user.take(), userID: userID.take(), ip: ip.take(), userAgent: userAgent.take(), http: http,
            action: action.take(), entityHint: entityHint, extra: keepExtra ? extra : nil,
            captured: captured.isEmpty ? nil : captured, notes: notes)
    }

    /// True when `path` holds a `?` or `#`.
    private static func hasQueryOrFragment(_ path: String) -> Bool {
        var p = path
        return p.withUTF8 { ByteScanning.contains(UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: "#"), in: $0) }
    }

    /// The headers `build` reads besides the request id headers; a parser may leave the others out of `headers`.
    static let fieldHeaderNames = ["traceparent", "user-agent", "x-forwarded-for", "x-real-ip"]

    /// The first of `names` the record's headers give (`header(_:names:)`), read in place or from the tree.
    private func header(_ names: [String]) -> String? {
        if headersInPlace { return HeaderSpan.value(in: headerSpans, names: names) }
        return headers.flatMap { Self.header($0, names: names) }
    }

    static func header(_ headers: JSONValue, names: [String]) -> String? {
        // HAR lists headers as `[{"name": …, "value": …}]`.
        if case .array(let items) = headers {
            for name in names {
                for item in items where item["name"]?.scalarText?.lowercased() == name {
                    if let v = item["value"]?.scalarText, !v.isEmpty { return v }
                }
            }
            return nil
        }
        guard case .object(let members) = headers else { return nil }
        for name in names {
            if let m = members.first(where: { $0.key.lowercased() == name }) {
                if let s = m.value.scalarText, !s.isEmpty { return s }
                if case .array(let items) = m.value, let s = items.first?.scalarText { return s }
            }
        }
        return nil
    }

    @inline(__always)
    static func string(_ v: UnsafeBufferPointer<UInt8>) -> String { String(decoding: v, as: UTF8.self) }

    /// `string(v).uppercased()`, with ASCII text upper-cased byte by byte into the string (`uppercased()` made a
    /// second string through the Unicode tables, for every HTTP method read).
    static func upperCased(_ v: UnsafeBufferPointer<UInt8>) -> String {
        guard v.allSatisfy({ $0 < 0x80 }) else { return string(v).uppercased() }
        return String(unsafeUninitializedCapacity: v.count) { out in
            for i in 0..<v.count { out[i] = v[i] >= 0x61 && v[i] <= 0x7A ? v[i] - 0x20 : v[i] }
            return v.count
        }
    }

    static func int(_ v: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !v.isEmpty, v.count <= 18 else { return nil }
        var n = 0
        for c in v {
            guard c >= 48 && c <= 57 else { return nil }
            n = n * 10 + Int(c - 48)
        }
        return n
    }

    /// `-`, `None`, `null` and `nil` stand for "no value" in many loggers.
    static func isPlaceholder(_ v: UnsafeBufferPointer<UInt8>) -> Bool {
        ByteScanning.equals(v, "-") || ByteScanning.equals(v, "None") || ByteScanning.equals(v, "null")
            || ByteScanning.equals(v, "nil") || ByteScanning.equals(v, "<nil>")
    }

    /// The first address of an `X-Forwarded-For`-style list, trimmed.
    static func firstAddress(_ v: UnsafeBufferPointer<UInt8>) -> String {
        var end = 0
        while end < v.count, v[end] != UInt8(ascii: ",") { end += 1 }
        var start = 0
        while start < end, v[start] == 32 { start += 1 }
        while end > start, v[end - 1] == 32 { end -= 1 }
        return string(UnsafeBufferPointer(rebasing: v[start..<end]))
    }

    /// The 32-hex trace id of a W3C `traceparent` (`00-<trace-id>-<parent-id>-<flags>`).
    static func traceID(fromTraceparent v: UnsafeBufferPointer<UInt8>) -> String? {
        guard v.count >= 55, v[2] == UInt8(ascii: "-"), v[35] == UInt8(ascii: "-") else { return nil }
        let id = UnsafeBufferPointer(rebasing: v[3..<35])
        var allZero = true
        for c in id {
            let hex = (c >= 48 && c <= 57) || (c >= 97 && c <= 102)
            guard hex else { return nil }
            if c != 48 { allZero = false }
        }
        return allZero ? nil : string(id)
    }
}
