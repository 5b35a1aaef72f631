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
        let segments = (path ?? "").split(separator: "/").map { QueryString.percentDecode($0) }
        var collections: [(name: String, id: String?)] = []
        var verb: String?
        var fileType: String?
        for (i, raw) in segments.enumerated() {
            var seg = raw
            if let dot = seg.lastIndex(of: "."), i == segments.count - 1 {
                let ext = seg[seg.index(after: dot)...].lowercased()
                if fileTypes.contains(ext) {
                    fileType = ext.uppercased()
                    seg = String(seg[..<dot])
                }
            }
            let lower = seg.lowercased()
            if i < 3, lower == "api" || lower == "rest" || isVersion(lower) { continue }
            if i == segments.count - 1, let v = verbOf(lower) {
                verb = v
                continue
            }
            // REST paths alternate collection / id; an id where a collection is due (a tenant) is skipped.
            if let last = collections.last, last.id == nil {
                collections[collections.count - 1].id = seg
            } else if !isIdentifier(seg) {
                collections.append((seg, nil))
            }
        }
        if let last = collections.last {
            route.entityType = singular(last.name.lowercased())
            route.entityID = last.id
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

    static func isVersion(_ s: String) -> Bool {
        s.count >= 2 && s.first == "v" && s.dropFirst().allSatisfy(\.isNumber)
    }

    /// Ids: numbers, UUIDs, long hex, or anything with a digit that is not a plain word.
    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.first else { return false }
        if s.allSatisfy(\.isNumber) { return true }
        let hexish = s.count >= 16 && s.allSatisfy { $0.isHexDigit || $0 == "-" }
        if hexish { return true }
        return first.isNumber || (s.contains(where: \.isNumber) && s.contains(where: { $0 == "-" || $0 == "_" }))
    }

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
