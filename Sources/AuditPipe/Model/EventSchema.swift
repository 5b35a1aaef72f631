/// The audit event's fields, in the order the JSONL encoder writes them: the one list that filters, CSV and
/// XLSX columns, dotted-path lookups and `validate` check names against (a test holds the encoder to it).
public enum EventSchema {
    /// What a field holds.
    public enum Kind: Sendable {
        /// A string, number, boolean or null.
        case scalar
        /// A list of scalars (`services`, `flags`).
        case list
        /// An object with these fields.
        case block([Field])
        /// An object or value whose inner paths are the data's own (`api.payload.amount`, `levels.warn`).
        case open
    }

    /// One field and what it holds.
    public struct Field: Sendable {
        public let name: String
        public let kind: Kind
        /// Written only on some events (`entries` with `--include-records`, a user directory's `actor.name`).
        public let optional: Bool

        init(_ name: String, _ kind: Kind = .scalar, optional: Bool = false) {
            self.name = name
            self.kind = kind
            self.optional = optional
        }
    }

    /// Every field, in encoder order.
    public static let fields: [Field] = [
        Field("event_id"), Field("request_id"), Field("start"), Field("end"), Field("duration_ms"),
        Field(
            "actor",
            .block([
                Field("user"), Field("user_id"), Field("ip"), Field("user_agent"), Field("origin"),
                Field("name", optional: true), Field("email", optional: true), Field("roles", .list, optional: true),
            ])),
        Field("action"),
        Field("entity", .block([Field("type"), Field("id"), Field("name")])),
        Field(
            "access",
            .block([
                Field("kind"), Field("file_type"), Field("report_name"), Field("filters", .open),
                Field("columns", .open), Field("document"), Field("export_from"),
            ])),
        Field("outcome", .block([Field("status"), Field("result"), Field("error")])),
        Field(
            "api",
            .block([Field("method"), Field("path"), Field("route"), Field("query", .open), Field("payload", .open)])),
        Field("services", .list), Field("records"), Field("levels", .open), Field("links", .open),
        Field("flags", .list), Field("entries", .open, optional: true),
    ]

    /// Shorthands: `user` is `actor.user`, `status` is `outcome.status`, `method` is `api.method`…
    public static let shorthands: [String: String] = [
        "user": "actor.user", "user_id": "actor.user_id", "ip": "actor.ip", "user_agent": "actor.user_agent",
        "origin": "actor.origin", "status": "outcome.status", "result": "outcome.result", "error": "outcome.error",
        "method": "api.method", "path": "api.path", "route": "api.route", "query": "api.query",
        "payload": "api.payload", "service": "services",
    ]

    /// The path with its shorthand resolved (`user.x` → `actor.user.x`).
    public static func resolved(_ segments: [String]) -> [String] {
        guard let head = segments.first, let full = shorthands[head] else { return segments }
        return full.split(separator: ".").map(String.init) + segments.dropFirst()
    }

    /// Why a dotted path names no field of the event (with a did-you-mean when one is close), or nil when it
    /// does.
    public static func problem(with path: String) -> String? {
        let written = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        // `api.payload.` named the whole payload, `.user` nothing: a path is names joined by single dots.
        if written.contains("") {
            return "'\(path)' has an empty name (a path is names joined by single dots, e.g. api.payload.amount)"
        }
        let segments = resolved(written)
        var level = fields
        var walked: [String] = []
        for (i, name) in segments.enumerated() {
            guard let field = level.first(where: { $0.name == name }) else {
                let known = level.map(\.name) + (i == 0 ? shorthands.keys.sorted() : [])
                let place = walked.isEmpty ? "field" : "field of \(walked.joined(separator: "."))"
                let whole = path == name ? "" : " in '\(path)'"
                if let near = known.min(by: { distance($0, name) < distance($1, name) }), distance(near, name) <= 2 {
                    return "unknown \(place) '\(name)'\(whole) (did you mean '\(near)'?)"
                }
                return "unknown \(place) '\(name)'\(whole); fields are \(level.map(\.name).joined(separator: ", "))"
            }
            walked.append(name)
            switch field.kind {
            case .open: return nil
            case .scalar, .list:
                return i == segments.count - 1 ? nil : "'\(walked.joined(separator: "."))' has no fields ('\(path)')"
            case .block(let inner): level = inner
            }
        }
        return nil
    }

    /// Edit distance, for did-you-mean.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        var row = Array(0...b.count)
        for i in 1...max(1, a.count) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(1, b.count) where !b.isEmpty {
                let saved = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = saved
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }
}
