/// A field's value as a filter sees it: absent, a JSON value, or a time (UTC nanoseconds).
public enum FilterValue: Sendable {
    case missing
    case json(JSONValue)
    case time(Int64)
}

/// Something a filter expression can be evaluated against.
public protocol FilterSubject {
    /// The value at a resolved path.
    func filterValue(at path: FieldPath) -> FilterValue
}

extension AuditEvent: FilterSubject {
    /// The event's field at `path`; common leaves are read directly, without building objects.
    public func filterValue(at path: FieldPath) -> FilterValue {
        let s = path.segments
        func text(_ v: String?) -> FilterValue { v.map { .json(.string($0)) } ?? .missing }
        if s.count == 1 {
            switch s[0] {
            case "start": return .time(start)
            case "end": return .time(end)
            case "action": return text(action)
            case "request_id": return text(requestID)
            case "services": return .json(.array(services.map(JSONValue.string)))
            case "flags": return .json(.array(flags.names.map(JSONValue.string)))
            default: break
            }
        } else if s.count == 2 {
            switch (s[0], s[1]) {
            case ("actor", "user"): return text(actor.user)
            case ("actor", "ip"): return text(actor.ip)
            case ("actor", "origin"): return text(actor.origin)
            case ("outcome", "status"): return outcome.status.map { .json(.number(String($0))) } ?? .missing
            case ("outcome", "result"): return .json(.string(outcome.result))
            case ("entity", "type"): return text(entity.type)
            case ("entity", "id"): return text(entity.id)
            case ("api", "method"): return text(api?.method)
            case ("api", "path"): return text(api?.path)
            case ("api", "route"): return text(api?.route)
            default: break
            }
        }
        return value(at: s).map(FilterValue.json) ?? .missing
    }
}

/// A raw record seen as a JSON object (`time`, `request_id`, `service`, `level`, `message`, `fields`, …).
public struct RecordSubject: FilterSubject {
    /// The record's time in UTC nanoseconds.
    public let time: Int64
    /// The record as an object.
    public let object: JSONValue

    /// Creates a subject.
    public init(time: Int64, object: JSONValue) {
        self.time = time
        self.object = object
    }

    /// The value at `path`: `time` as a time, anything else looked up in the object.
    public func filterValue(at path: FieldPath) -> FilterValue {
        if path.segments == ["time"] { return .time(time) }
        return object.value(at: path.segments).map(FilterValue.json) ?? .missing
    }
}

/// A parsed record seen through the same object as `RecordSubject`, its common fields read straight from
/// the record: `filter --records` builds the object only for the paths it cannot read directly and for
/// the records that match. The record and the enricher are borrowed for one evaluation (pointers valid only
/// inside the `withUnsafePointer` that made them): a subject per record that copied both cost ~3,000
/// instructions a record in retains and releases.
struct LogRecordSubject: FilterSubject {
    let record: UnsafePointer<LogRecord>
    /// Builds the record's object (`Enricher.recordObject`) for other paths; nil: they read as missing.
    let enricher: UnsafePointer<Enricher>?

    func filterValue(at path: FieldPath) -> FilterValue {
        guard let field = path.recordField else {
            return object().value(at: path.segments).map(FilterValue.json) ?? .missing
        }
        func text(_ v: String?) -> FilterValue { .json(v.map(JSONValue.string) ?? .null) }
        let r = record
        switch field {
        case .time: return .time(r.pointee.time)
        case .requestID: return text(r.pointee.requestID)
        case .service: return text(r.pointee.service)
        case .level: return text(r.pointee.level?.name)
        case .kind: return .json(.string(r.pointee.kind.name))
        // The stored actor fields, read directly: `actor` builds an `ActorFields` of all four (four retains, then
        // four releases) on each read.
        case .user: return text(r.pointee.actorUser)
        case .ip: return text(r.pointee.actorIP)
        case .method: return r.pointee.http.map { text($0.method) } ?? .missing
        case .path: return r.pointee.http.map { text($0.path) } ?? .missing
        case .route: return r.pointee.http?.route.map { text($0) } ?? .missing
        case .status:
            return r.pointee.http.map { h in .json(h.status.map { .number(String($0)) } ?? .null) } ?? .missing
        }
    }

    private func object() -> JSONValue { enricher?.pointee.recordObject(record.pointee) ?? .object([]) }
}
