/// Turns a closed group into an audit event: actor, action and entity from the API record's route, access
/// kind, outcome from status and error logs, services, levels, redacted query and payload.
public struct Enricher: Sendable {
    private let redactor: Redactor
    private let inputNames: InputNames
    private let rules: EnrichmentRules?
    private let captureIndex: [String: Int]
    private let origins = OriginCache()

    /// Creates an enricher; `inputNames` are the inputs' display names (for embedded records' `source`).
    public init(redactor: Redactor = Redactor(), inputNames: InputNames, rules: EnrichmentRules? = nil) {
        self.redactor = redactor
        self.inputNames = inputNames
        self.rules = rules.flatMap { $0.isEmpty ? nil : $0 }
        captureIndex = rules?.captureIndex ?? [:]
    }

    func event(from g: GroupAccumulator) -> AuditEvent {
        var g = g
        return event(taking: &g)
    }

    /// The event of `g`, moving the strings it keeps as they are out of `g` (`baseEvent`), which is left for
    /// dropping.
    func event(taking g: inout GroupAccumulator) -> AuditEvent {
        var e = baseEvent(from: &g)
        if let rules {
            let input = g.firstPosition.input
            rules.apply(
                to: &e, captured: g.captured?.map { $0?.value } ?? [], index: captureIndex, method: g.http.method,
                path: g.http.path, fileService: { InputSpec(path: inputNames.name(of: input)).fileService })
        }
        redactor.redactFreeText(in: &e)
        return e
    }

    /// The name of an input an event id is made of: `lastComponent`, without a `.gz` ending (any case): a log and its
    /// gzipped copy hold the same records, and give the same ids (archived both, they were kept twice: a
    /// new-user trial).
    static func idName(_ name: String) -> String {
        let last = lastComponent(name)
        let b = Array(last.utf8)
        let gz =
            b.count > 3 && b[b.count - 3] == UInt8(ascii: ".") && b[b.count - 2] | 0x20 == UInt8(ascii: "g")
            && b[b.count - 1] | 0x20 == UInt8(ascii: "z")
        return gz ? String(decoding: b.dropLast(3), as: UTF8.self) : last
    }

    /// The last non-empty `/`-separated component of an input's name (`dump/api.log` → `api.log`), as
    /// `split(separator: "/").last` gives it; bytes are searched when the name is ASCII (a `Character` split
    /// cost 5,000 instructions an event).
    static func lastComponent(_ name: String) -> String {
        name.withUTF8Bytes { b in
            guard b.allSatisfy({ $0 < 0x80 }) else { return name.split(separator: "/").last.map(String.init) ?? "" }
            var end = b.count
            while end > 0 && b[end - 1] == UInt8(ascii: "/") { end -= 1 }
            var start = end
            while start > 0 && b[start - 1] != UInt8(ascii: "/") { start -= 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self)
        }
    }

    /// The event of `g`, with the strings it keeps as they are (request id, actor, services) moved out of `g`
    /// rather than copied: each copy was an atomic retain of a string another core made, and its release when
    /// the group was dropped another.
    private func baseEvent(from g: inout GroupAccumulator) -> AuditEvent {
        let sourceName = inputNames.sourceName(of: g.firstPosition.input)
        // The route's strings are moved into the event, not copied (no route reads as an empty one).
        var route = Self.classify(g.http) ?? RouteClassifier.Route()
        var entity = AuditEvent.Entity(type: route.entityType.take(), id: route.entityID.take(), name: nil)
        // The record's own object (OpenStack `[instance: …]`, Kubernetes `objectRef`) names the entity when the
        // route does not, or gives the id the route lacks (a create, whose name is in the body).
        // A hint without a type (a text pattern's `entity_id` alone) keeps the route's type.
        if let hint = g.entityHint, entity.type == nil || (entity.id == nil && hint.id != nil) {
            entity.type = hint.type ?? entity.type
            entity.id = hint.id
        }
        let fileType = route.fileType.take()
        let access = route.accessKind.take().map { AuditEvent.Access(kind: $0, fileType: fileType) }
        let hasErrors = g.levels[Int(LogLevel.error.rawValue)] + g.levels[Int(LogLevel.fatal.rawValue)] > 0
        let result: String
        switch g.status {
        case .some(let s) where s >= 500: result = "error"
        case .some(let s) where s >= 400: result = "failure"
        case .some: result = "success"
        // No status: errors say error; a service that names the action it performed (CloudTrail) without an
        // error code says it succeeded; otherwise nothing tells.
        case .none: result = hasErrors ? "error" : g.action != nil ? "success" : "unknown"
        }
        let h = g.http
        let api =
            h.isEmpty
            ? nil
            : AuditEvent.API(
                method: h.method, path: h.path, route: h.route, query: h.query.map { redactor.redact($0) },
                payload: h.body.map { redactor.redact($0) })
        g.services.sort { $0.first < $1.first }
        var services: [String] = []
        services.reserveCapacity(g.services.count)
        for i in g.services.indices {
            var name = ""
            swap(&name, &g.services[i].name)
            services.append(name)
        }
        var levels: [(LogLevel, Int)] = []
        levels.reserveCapacity(8)
        for level in LogLevel.allCases where g.levels[Int(level.rawValue)] > 0 {
            levels.append((level, Int(g.levels[Int(level.rawValue)])))
        }
        let eventID = EventID.make(
            requestID: g.requestID, sourceName: sourceName, offset: g.firstPosition.offset, start: g.start,
            part: g.part)
        let origin = origins.origin(userAgent: g.actorUserAgent, user: g.actorUser)
        return AuditEvent(
            eventID: eventID,
            requestID: g.requestID.take(),
            start: g.start,
            end: g.end,
            actor: AuditEvent.Actor(
                user: g.actorUser.take(), userID: g.actorUserID.take(), ip: g.actorIP.take(),
                userAgent: g.actorUserAgent.take(), origin: origin),
            action: g.action ?? route.action.take(),
            entity: entity,
            access: access,
            outcome: AuditEvent.Outcome(
                status: g.status, result: result,
                // Redacted before it is cut, so a secret across the cut cannot leave a readable prefix.
                error: g.error.map { Self.cut(redactor.redactText(Self.firstLine($0))) }
            ),
            api: api,
            services: services,
            records: Int(g.records),
            levels: levels,
            links: [],
            flags: g.flags,
            entries: g.embedded.map(entries))
    }

    /// The text before its first line break, as `prefix(while: { $0 != "\n" })` reads it (a `\r\n` is one
    /// `Character`, so it is no break there), found on bytes: a line feed is a `Character` of its own unless a
    /// carriage return comes before it.
    static func firstLine(_ text: String) -> String {
        text.withUTF8Bytes { b in
            var i = 0
            while let lf = b[i...].firstIndex(of: 10) {
                if lf == 0 || b[lf - 1] != 13 { return String(decoding: b[..<lf], as: UTF8.self) }
                i = lf + 1
            }
            return text
        }
    }

    /// At most 512 `Character`s of `text` (a text of at most 512 bytes has no more, and is kept whole).
    static func cut(_ text: String) -> String { text.utf8.count <= 512 ? text : String(text.prefix(512)) }

    /// Action, entity, access kind and file type from the concrete path (with the query); when only a route
    /// template is known, from the template, without an entity id (a placeholder is no id).
    static func classify(_ h: BestHTTPFields) -> RouteClassifier.Route? {
        if let path = h.path { return RouteClassifier.classify(method: h.method, path: path, query: h.query) }
        guard let template = h.route else {
            return h.method.map { RouteClassifier.classify(method: $0, path: nil, query: h.query) }
        }
        var route = RouteClassifier.classify(method: h.method, path: template, query: h.query)
        route.entityID = nil
        return route
    }

    private func name(of input: Int32) -> String { inputNames.name(of: input) }

    /// A raw record on its own (`filter --records`): request id and actor ahead of the embedded-record fields.
    func recordObject(_ r: LogRecord) -> JSONValue {
        guard case .object(let members) = entry(r) else { return .null }
        var m: [JSONMember] = [JSONMember("request_id", r.requestID.map(JSONValue.string) ?? .null)]
        m.append(contentsOf: members.prefix(4))
        m.append(JSONMember("user", r.actor.user.map(JSONValue.string) ?? .null))
        m.append(JSONMember("ip", r.actor.ip.map(JSONValue.string) ?? .null))
        if let h = r.http {
            m.append(JSONMember("method", h.method.map(JSONValue.string) ?? .null))
            m.append(JSONMember("path", h.path.map { .string(redactor.redactText($0)) } ?? .null))
            if let route = h.route { m.append(JSONMember("route", .string(route))) }
            m.append(JSONMember("status", h.status.map { .number(String($0)) } ?? .null))
        }
        m.append(contentsOf: members.dropFirst(4))
        return .object(m)
    }

    /// Embedded records, time-ordered, each with its source and redacted fields.
    private func entries(_ records: [LogRecord]) -> [JSONValue] {
        records.sorted { ($0.time, $0.sequence) < ($1.time, $1.sequence) }.map(entry)
    }

    private func entry(_ r: LogRecord) -> JSONValue {
        var m: [JSONMember] = [
            JSONMember("time", .string(UTCTime.rfc3339Millis(r.statedTime ?? r.time))),
            JSONMember("service", r.service.map(JSONValue.string) ?? .null),
            JSONMember("level", r.level.map { .string($0.name) } ?? .null),
            JSONMember("kind", .string(r.kind.name)),
            JSONMember("source", .string("\(name(of: r.position.input)):\(r.position.line)")),
            JSONMember("message", r.message.map { .string(redactor.redactText($0)) } ?? .null),
        ]
        if r.lineCount > 1 { m.append(JSONMember("lines", .number(String(r.lineCount)))) }
        if let extra = r.extra, !extra.isEmpty {
            m.append(JSONMember("fields", redactor.redactFields(extra, user: r.actor.user)))
        }
        return .object(m)
    }
}
