/// Writes an audit event as one JSON line, fields in the schema's fixed order.
public enum EventJSONEncoder {
    /// Appends the event's JSON and a newline to `w`.
    public static func encode(_ e: AuditEvent, into writer: inout JSONWriter) {
        writer.withOwnBytes { w in write(e, into: &w) }
    }

    private static func write(_ e: AuditEvent, into w: inout JSONWriter) {
        w.raw("{\"event_id\":")
        w.string(e.eventID)
        w.raw(",\"request_id\":")
        w.stringOrNull(e.requestID)
        w.raw(",\"start\":")
        w.time(e.start)
        w.raw(",\"end\":")
        w.time(e.end)
        w.raw(",\"duration_ms\":")
        w.int(e.durationMillis)
        w.raw(",\"actor\":{\"user\":")
        w.stringOrNull(e.actor.user)
        w.raw(",\"user_id\":")
        w.stringOrNull(e.actor.userID)
        w.raw(",\"ip\":")
        w.stringOrNull(e.actor.ip)
        w.raw(",\"user_agent\":")
        w.stringOrNull(e.actor.userAgent)
        w.raw(",\"origin\":")
        w.stringOrNull(e.actor.origin)
        if let roles = e.actor.roles {
            w.raw(",\"name\":")
            w.stringOrNull(e.actor.name)
            w.raw(",\"email\":")
            w.stringOrNull(e.actor.email)
            w.raw(",\"roles\":")
            w.value(.array(roles.map(JSONValue.string)))
        }
        w.raw("},\"action\":")
        w.stringOrNull(e.action)
        w.raw(",\"entity\":{\"type\":")
        w.stringOrNull(e.entity.type)
        w.raw(",\"id\":")
        w.stringOrNull(e.entity.id)
        w.raw(",\"name\":")
        w.stringOrNull(e.entity.name)
        w.raw("},\"access\":")
        if let a = e.access {
            w.raw("{\"kind\":")
            w.string(a.kind)
            w.raw(",\"file_type\":")
            w.stringOrNull(a.fileType)
            w.raw(",\"report_name\":")
            w.stringOrNull(a.reportName)
            w.raw(",\"filters\":")
            w.value(a.filters ?? .null)
            w.raw(",\"columns\":")
            w.value(a.columns ?? .null)
            w.raw(",\"document\":")
            w.stringOrNull(a.document)
            w.raw(",\"export_from\":")
            w.stringOrNull(a.exportFrom)
            w.raw("}")
        } else {
            w.raw("null")
        }
        w.raw(",\"outcome\":{\"status\":")
        w.intOrNull(e.outcome.status)
        w.raw(",\"result\":")
        w.string(e.outcome.result)
        w.raw(",\"error\":")
        w.stringOrNull(e.outcome.error)
        w.raw("},\"api\":")
        if let api = e.api {
            w.raw("{\"method\":")
            w.stringOrNull(api.method)
            w.raw(",\"path\":")
            w.stringOrNull(api.path)
            w.raw(",\"route\":")
            w.stringOrNull(api.route)
            w.raw(",\"query\":")
            w.value(api.query ?? .null)
            w.raw(",\"payload\":")
            w.value(api.payload ?? .null)
            w.raw("}")
        } else {
            w.raw("null")
        }
        w.raw(",\"services\":[")
        for (i, s) in e.services.enumerated() {
            if i > 0 { w.raw(",") }
            w.string(s)
        }
        w.raw("],\"records\":")
        w.int(e.records)
        w.raw(",\"levels\":{")
        for (i, (level, n)) in e.levels.enumerated() {
            if i > 0 { w.raw(",") }
            w.string(level.name)
            w.raw(":")
            w.int(n)
        }
        w.raw("},\"links\":")
        w.object(e.links)
        w.raw(",\"flags\":[")
        for (i, f) in e.flags.names.enumerated() {
            if i > 0 { w.raw(",") }
            w.string(f)
        }
        w.raw("]")
        if let entries = e.entries {
            w.raw(",\"entries\":")
            w.value(.array(entries))
        }
        w.raw("}\n")
    }
}
