/// The fields an expression may name: the audit event's schema with its shorthands, or any path of a
/// raw record; which of them hold times.
enum FieldCatalog {
    /// A path whose first segment is not a field.
    struct UnknownField: Error {
        let message: String
    }

    /// Top-level event fields, in schema order.
    static let eventRoots = [
        "event_id", "request_id", "start", "end", "duration_ms", "actor", "action", "entity", "access", "outcome",
        "api", "services", "records", "levels", "links", "flags", "entries",
    ]

    /// Shorthands: `user` is `actor.user`, `status` is `outcome.status`, `method` is `api.method`...
    static let eventShorthands: [String: String] = [
        "user": "actor.user", "user_id": "actor.user_id", "ip": "actor.ip", "user_agent": "actor.user_agent",
        "origin": "actor.origin", "status": "outcome.status", "result": "outcome.result", "error": "outcome.error",
        "method": "api.method", "path": "api.path", "route": "api.route", "query": "api.query",
        "payload": "api.payload", "service": "services",
    ]

    /// Resolves shorthands and checks the first segment names a field (events only).
    static func resolve(_ written: String, target: FilterParser.Target) throws(UnknownField) -> FieldPath {
        var segments = written.split(separator: ".").map(String.init)
        guard target == .events, let head = segments.first else {
            return FieldPath(segments: segments, written: written)
        }
        if let full = eventShorthands[head] {
            segments = full.split(separator: ".").map(String.init) + segments.dropFirst()
        } else if !eventRoots.contains(head) {
            let known = eventRoots + eventShorthands.keys.sorted()
            if let near = known.min(by: { distance($0, head) < distance($1, head) }), distance(near, head) <= 2 {
                throw UnknownField(message: "unknown field '\(head)' (did you mean '\(near)'?)")
            }
            throw UnknownField(message: "unknown field '\(head)'; fields are \(eventRoots.joined(separator: ", "))")
        }
        return FieldPath(segments: segments, written: written)
    }

    /// True for fields compared as times.
    static func isTime(_ path: FieldPath, target: FilterParser.Target) -> Bool {
        guard path.segments.count == 1 else { return false }
        switch target {
        case .events: return path.segments[0] == "start" || path.segments[0] == "end"
        case .records: return path.segments[0] == "time"
        }
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
