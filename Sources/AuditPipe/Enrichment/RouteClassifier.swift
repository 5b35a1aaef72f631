/// Turns an HTTP method and path into an action and an entity: `GET /api/v1/reports/sales/export?format=csv`
/// → action `export`, entity report `sales`, access kind `export`, file type `CSV`.
public enum RouteClassifier {
    /// What a route says.
    public struct Route: Sendable, Equatable {
        public var action: String?
        public var entityType: String?
        public var entityID: String?
        public var accessKind: String?
        public var fileType: String?
    }

    /// Verbs that, as the last path segment, name the action.
    static let verbs: Set<String> = [
        "export", "download", "print", "run", "login", "logout", "approve", "reject", "cancel", "restart", "retry",
        "submit", "share", "unshare", "archive", "restore", "upload", "import", "search", "rollback", "terminate",
        "trigger", "invite", "reset", "revoke", "enable", "disable", "lock", "unlock", "copy", "move", "rename",
        "preview", "duplicate", "publish", "sync",
    ]
    static let accessVerbs: Set<String> = ["export", "print", "download"]
    static let fileTypes: Set<String> = [
        "csv", "xlsx", "xls", "pdf", "json", "xml", "zip", "txt", "html", "docx", "tsv",
    ]

    /// Classifies a request.
    public static func classify(method: String?, path: String?, query: JSONValue?) -> Route {
        var route = Route()
        let segments = pathSegments(path ?? "")
        var collections: [(name: [UInt8], id: [UInt8]?)] = []
        var verb: String?
        var fileType: String?
        for (i, raw) in segments.enumerated() {
            var seg = raw
            let isLast = i == segments.count - 1
            if isLast, let dot = seg.lastIndex(of: UInt8(ascii: ".")) {
                let ext = String(decoding: seg[(dot + 1)...].map(asciiLower), as: UTF8.self)
                if fileTypes.contains(ext) {
                    fileType = ext.uppercased()
                    seg.removeSubrange(dot...)
                }
            }
            let lower = seg.map(asciiLower)
            // API prefixes: `api`, `apis`, `rest`, versions, and Kubernetes API groups (`apps`, `rbac.authorization.k8s.io`).
            if i < 3,
                lower.elementsEqual("api".utf8) || lower.elementsEqual("apis".utf8) || lower.elementsEqual("rest".utf8)
                    || isVersion(lower) || (i == 1 && segments[0].elementsEqual("apis".utf8))
            {
                continue
            }
            if isLast, let v = verbOf(String(decoding: lower, as: UTF8.self)) {
                verb = v
                continue
            }
            if let last = collections.last, last.id != nil, isLast,
                subresources.contains(String(decoding: lower, as: UTF8.self))
            {
                continue
            }
            // REST paths alternate collection / id; an id where a collection is due (a tenant) is skipped.
            if let last = collections.last, last.id == nil {
                collections[collections.count - 1].id = seg
            } else if !isIdentifier(seg) {
                collections.append((lower, nil))
            }
        }
        if let last = collections.last {
            route.entityType = singular(String(decoding: last.name, as: UTF8.self))
            route.entityID = last.id.map { String(decoding: $0, as: UTF8.self) }
        }
        if fileType == nil, let q = query {
            for key in ["format", "file_format_type", "file_type", "type", "export_format"] {
                if let v = q[key]?.scalarText, fileTypes.contains(v.lowercased()) {
                    fileType = v.uppercased()
                    break
                }
            }
        }
        route.action = verb ?? defaultAction(method)
        if let v = verb, accessVerbs.contains(v) {
            route.accessKind = v
            route.fileType = fileType
        } else if fileType != nil, method?.uppercased() == "GET", route.entityID != nil {
            route.accessKind = "download"
            route.action = "download"
            route.fileType = fileType
        }
        return route
    }

    /// The path's non-empty segments, percent-decoded, as bytes.
    static func pathSegments(_ path: String) -> [[UInt8]] {
        var p = path
        return p.withUTF8 { b in
            var out: [[UInt8]] = []
            var start = 0
            for i in 0...b.count where i == b.count || b[i] == UInt8(ascii: "/") {
                if i > start { out.append(QueryString.percentDecode(UnsafeBufferPointer(rebasing: b[start..<i]))) }
                start = i + 1
            }
            return out
        }
    }

    /// GET view, POST create, PUT/PATCH update, DELETE delete.
    static func defaultAction(_ method: String?) -> String? {
        switch method?.uppercased() {
        case "GET", "HEAD": "view"
        case "POST": "create"
        case "PUT", "PATCH": "update"
        case "DELETE": "delete"
        case .some(let m): m.lowercased()
        case .none: nil
        }
    }

    /// `export`, `export_query`, `download-pdf` → the verb they contain.
    static func verbOf(_ segment: String) -> String? {
        if verbs.contains(segment) { return segment }
        for word in segment.split(whereSeparator: { $0 == "_" || $0 == "-" || $0 == "." }) {
            let w = String(word)
            if accessVerbs.contains(w) { return w }
        }
        return nil
    }

    /// `v1`, `v2`, and Kubernetes' `v1beta1`, `v2alpha1`.
    static func isVersion(_ s: [UInt8]) -> Bool {
        guard s.count >= 2, s[0] == UInt8(ascii: "v"), isDigit(s[1]) else { return false }
        let rest = s.dropFirst().drop(while: isDigit)
        if rest.isEmpty { return true }
        for tag in ["alpha", "beta"] where rest.starts(with: tag.utf8) {
            let tail = rest.dropFirst(tag.utf8.count)
            return !tail.isEmpty && tail.allSatisfy(isDigit)
        }
        return false
    }

    /// Kubernetes subresources: after an object's name they name an aspect of it, not a new collection.
    static let subresources: Set<String> = [
        "status", "scale", "log", "exec", "attach", "binding", "eviction", "proxy", "portforward", "finalize",
        "approval", "token", "ephemeralcontainers", "resize",
    ]

    /// Ids: numbers, UUIDs, long hex, anything with a digit that is not a plain word, or a route template's
    /// placeholder (`{id}`, `:id`, `<int:id>`).
    static func isIdentifier(_ s: [UInt8]) -> Bool {
        guard let first = s.first else { return false }
        if RouteTemplate.isPlaceholder(s) { return true }
        if s.allSatisfy(isDigit) { return true }
        if s.count >= 16 && s.allSatisfy({ isHex($0) || $0 == UInt8(ascii: "-") }) { return true }
        return isDigit(first)
            || (s.contains(where: isDigit) && s.contains(where: { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }))
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    private static func isHex(_ c: UInt8) -> Bool { isDigit(c) || (c | 0x20 >= 97 && c | 0x20 <= 102) }
    private static func asciiLower(_ c: UInt8) -> UInt8 { c >= 65 && c <= 90 ? c | 0x20 : c }

    /// `reports` → `report`, `policies` → `policy`, `addresses` → `address`.
    static func singular(_ s: String) -> String {
        if s.hasSuffix("ies") && s.count > 4 { return String(s.dropLast(3)) + "y" }
        for suffix in ["sses", "xes", "ches", "shes", "zes"] where s.hasSuffix(suffix) {
            return String(s.dropLast(2))
        }
        if s.hasSuffix("s") && !s.hasSuffix("ss") && !s.hasSuffix("us") && s.count > 2 { return String(s.dropLast()) }
        return s
    }
}
