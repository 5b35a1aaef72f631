/// A route rule: `POST /api/v1/pipelines/{id}/run` → entity `pipeline` `{id}`, action `run`. Segments in
/// braces capture one path segment; `*` matches one segment; a trailing `**` matches the rest.
public struct RoutePattern: Sendable, Equatable {
    /// Upper-cased method, or nil for any.
    public let method: String?
    let segments: [Segment]
    /// Entity type to set (may use `{name}` captures).
    public var entityType: String?
    /// Entity id to set (may use `{name}` captures).
    public var entityID: String?
    /// Action to set.
    public var action: String?
    /// Access kind to set (`export`, `print`, `download`, `backup`).
    public var accessKind: String?

    enum Segment: Sendable, Equatable {
        case literal(String)
        case capture(String)
        case any
        case rest
    }

    /// What a pattern failed on.
    public struct Invalid: Error, Sendable {
        public let message: String
    }

    /// Parses `METHOD /path/{id}` or `/path/{id}`.
    public init(_ text: String) throws(Invalid) {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        let path: Substring
        switch parts.count {
        case 1: (method, path) = (nil, parts[0])
        case 2: (method, path) = (parts[0] == "*" ? nil : parts[0].uppercased(), parts[1])
        default: throw Invalid(message: "a route is 'METHOD /path/{id}' or '/path/{id}'; got '\(text)'")
        }
        guard path.hasPrefix("/") else { throw Invalid(message: "a route's path starts with '/'; got '\(path)'") }
        var segs: [Segment] = []
        let raw = path.split(separator: "/")
        for (i, s) in raw.enumerated() {
            if s == "**" {
                guard i == raw.count - 1 else { throw Invalid(message: "'**' may only end a route") }
                segs.append(.rest)
            } else if s == "*" {
                segs.append(.any)
            } else if s.hasPrefix("{") && s.hasSuffix("}") && s.count > 2 {
                segs.append(.capture(String(s.dropFirst().dropLast())))
            } else if s.contains("{") || s.contains("}") {
                throw Invalid(message: "a capture fills a whole segment, like {id}; got '\(s)'")
            } else {
                segs.append(.literal(String(s)))
            }
        }
        segments = segs
    }

    /// The captures when `method` and `path` match, else nil.
    public func match(method: String?, path: String) -> [String: String]? {
        if let m = self.method, m != method?.uppercased() { return nil }
        let parts = path.split(separator: "/")
        var captures: [String: String] = [:]
        var i = 0
        for seg in segments {
            switch seg {
            case .rest: return captures
            case .any:
                guard i < parts.count else { return nil }
            case .literal(let l):
                guard i < parts.count, parts[i] == l else { return nil }
            case .capture(let name):
                guard i < parts.count else { return nil }
                captures[name] = String(parts[i]).removingPercentEncodingIfValid
            }
            i += 1
        }
        return i == parts.count ? captures : nil
    }

    /// `{name}` placeholders replaced by their captures.
    static func fill(_ template: String?, _ captures: [String: String]) -> String? {
        guard var t = template else { return nil }
        for (k, v) in captures { t = t.replacingAll("{\(k)}", with: v) }
        return t
    }
}
