extension AuditEvent {
    /// The value at a dotted path (`actor.user`, `outcome.status`, `api.payload.amount`), or nil when absent.
    /// The shorthands of `EventSchema.shorthands` (`user`, `method`, `service`…) name their dotted fields.
    public func value(at path: String) -> JSONValue? {
        value(at: path.split(separator: ".").map(String.init))
    }

    /// The value at a path given as segments (`["actor", "user"]`), or nil when absent.
    public func value(at parts: [String]) -> JSONValue? {
        // Shorthands (`method`, `user_agent`, `service`…) are their dotted fields, as in filters and `--columns`.
        let parts = EventSchema.resolved(parts)
        guard let head = parts.first else { return nil }
        func str(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        func int(_ v: Int?) -> JSONValue { v.map { .number(String($0)) } ?? .null }
        // Leaves of the fixed blocks are read directly, without building the block (CSV columns, links).
        if parts.count == 2, let leaf = leaf(head, parts[1], str, int) { return leaf }
        let rest = Array(parts.dropFirst())
        let root: JSONValue?
        switch head {
        case "event_id": root = .string(eventID)
        case "request_id": root = str(requestID)
        case "start": root = .string(UTCTime.rfc3339Millis(start))
        case "end": root = .string(UTCTime.rfc3339Millis(end))
        case "duration_ms": root = int(durationMillis)
        case "actor":
            var members = [
                JSONMember("user", str(actor.user)), JSONMember("user_id", str(actor.userID)),
                JSONMember("ip", str(actor.ip)), JSONMember("user_agent", str(actor.userAgent)),
                JSONMember("origin", str(actor.origin)),
            ]
            if let roles = actor.roles {
                members.append(JSONMember("name", str(actor.name)))
                members.append(JSONMember("email", str(actor.email)))
                members.append(JSONMember("roles", .array(roles.map(JSONValue.string))))
            }
            root = .object(members)
        case "action": root = str(action)
        case "entity":
            root = .object([
                JSONMember("type", str(entity.type)), JSONMember("id", str(entity.id)),
                JSONMember("name", str(entity.name)),
            ])
        case "access":
            root =
                access.map { a in
                    .object([
                        JSONMember("kind", .string(a.kind)), JSONMember("file_type", str(a.fileType)),
                        JSONMember("report_name", str(a.reportName)), JSONMember("filters", a.filters ?? .null),
                        JSONMember("columns", a.columns ?? .null), JSONMember("document", str(a.document)),
                        JSONMember("export_from", str(a.exportFrom)),
                    ])
                } ?? .null
        case "outcome":
            root = .object([
                JSONMember("status", int(outcome.status)), JSONMember("result", .string(outcome.result)),
                JSONMember("error", str(outcome.error)),
            ])
        case "api":
            root =
                api.map { a in
                    .object([
                        JSONMember("method", str(a.method)), JSONMember("path", str(a.path)),
                        JSONMember("route", str(a.route)), JSONMember("query", a.query ?? .null),
                        JSONMember("payload", a.payload ?? .null),
                    ])
                } ?? .null
        case "services": root = .array(services.map(JSONValue.string))
        case "records": root = int(records)
        case "levels": root = .object(levels.map { JSONMember($0.0.name, .number(String($0.1))) })
        case "links": root = .object(links)
        case "flags": root = .array(flags.names.map(JSONValue.string))
        case "entries": root = entries.map(JSONValue.array) ?? .null
        default: root = nil
        }
        return root?.value(at: rest)
    }

    /// `block.leaf` of actor, entity, outcome and api, or nil to take the general path.
    private func leaf(
        _ block: String, _ name: String, _ str: (String?) -> JSONValue, _ int: (Int?) -> JSONValue
    ) -> JSONValue? {
        switch (block, name) {
        case ("actor", "user"): str(actor.user)
        case ("actor", "user_id"): str(actor.userID)
        case ("actor", "ip"): str(actor.ip)
        case ("actor", "user_agent"): str(actor.userAgent)
        case ("actor", "origin"): str(actor.origin)
        case ("entity", "type"): str(entity.type)
        case ("entity", "id"): str(entity.id)
        case ("entity", "name"): str(entity.name)
        case ("outcome", "status"): int(outcome.status)
        case ("outcome", "result"): .string(outcome.result)
        case ("outcome", "error"): str(outcome.error)
        case ("api", "method"): api.map { str($0.method) } ?? nil
        case ("api", "path"): api.map { str($0.path) } ?? nil
        case ("api", "route"): api.map { str($0.route) } ?? nil
        default: nil
        }
    }
}
