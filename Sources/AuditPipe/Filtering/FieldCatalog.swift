/// The fields an expression may name: the audit event's `EventSchema` with its shorthands, or any path of a
/// raw record; which of them hold times.
public enum FieldCatalog {
    /// A path that names no field.
    struct UnknownField: Error {
        let message: String
    }

    /// Top-level event fields, in schema order.
    static let eventRoots = EventSchema.fields.map(\.name)

    /// Shorthands: `user` is `actor.user`, `status` is `outcome.status`…
    static var eventShorthands: [String: String] { EventSchema.shorthands }

    /// Top-level fields of a raw record (as `Enricher.recordObject` builds it); its other fields are under `fields`.
    static let recordRoots = [
        "time", "request_id", "service", "level", "kind", "source", "message", "user", "ip", "method", "path",
        "route", "status", "lines", "fields",
    ]

    /// Why a dotted path names no field of a raw record (with a did-you-mean when one is close), or nil when it
    /// does: a top-level record field, or `fields` and a path under it.
    public static func recordProblem(with path: String) -> String? {
        let written = path.split(separator: ".", omittingEmptySubsequences: false)
        if written.contains("") {
            return "'\(path)' has an empty name (a path is names joined by single dots, e.g. fields.order_id)"
        }
        guard let root = written.first.map(String.init), !recordRoots.contains(root) else {
            // Only `fields` holds fields: `user.x` named nothing, and its column was always empty.
            if written.count > 1 && written[0] != "fields" { return "'\(written[0])' has no fields ('\(path)')" }
            return nil
        }
        let whole = path == root ? "" : " in '\(path)'"
        if let near = recordRoots.min(by: { distance($0, root) < distance($1, root) }), distance(near, root) <= 2 {
            return "unknown record field '\(root)'\(whole) (did you mean '\(near)'?)"
        }
        return
            "unknown record field '\(root)'\(whole); record fields are \(recordRoots.joined(separator: ", ")), and a record's other fields are fields.NAME (fields.\(path))"
    }

    /// Edit distance, for did-you-mean.
    static func distance(_ a: String, _ b: String) -> Int { EventSchema.distance(a, b) }

    /// Resolves shorthands and checks the path against the event schema, or a record's fields.
    static func resolve(_ written: String, target: FilterParser.Target) throws(UnknownField) -> FieldPath {
        let segments = written.split(separator: ".").map(String.init)
        guard target == .events else {
            if let problem = recordProblem(with: written) { throw UnknownField(message: problem) }
            return FieldPath(segments: segments, written: written)
        }
        if let problem = EventSchema.problem(with: written) { throw UnknownField(message: problem) }
        return FieldPath(segments: EventSchema.resolved(segments), written: written)
    }

    /// True for fields compared as times.
    static func isTime(_ path: FieldPath, target: FilterParser.Target) -> Bool {
        guard path.segments.count == 1 else { return false }
        switch target {
        case .events: return path.segments[0] == "start" || path.segments[0] == "end"
        case .records: return path.segments[0] == "time"
        }
    }
}
