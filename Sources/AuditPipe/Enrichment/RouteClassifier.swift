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
        var s = segment
        // ASCII (each character one byte): the words are cut on bytes, without walking characters.
        if let found = s.withUTF8({ asciiVerb(in: $0) }) { return found }
        for word in segment.split(whereSeparator: { $0 == "_" || $0 == "-" || $0 == "." }) {
            let w = String(word)
            if accessVerbs.contains(w) { return w }
        }
        return nil
    }

    /// `verbOf`'s word search in ASCII text: `.some(verb)` or `.some(nil)`; nil when the text is not ASCII.
    private static func asciiVerb(in b: UnsafeBufferPointer<UInt8>) -> String?? {
        guard !b.contains(where: { $0 >= 0x80 }) else { return nil }
        var start = 0
        for i in 0...b.count {
            guard i == b.count || b[i] == UInt8(ascii: "_") || b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: ".")
            else { continue }
            if i > start {
                let w = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
                if accessVerbs.contains(w) { return .some(w) }
            }
            start = i + 1
        }
        return .some(nil)
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
        var t = s
        if let cut = t.withUTF8({ asciiSingularCut($0) }) {
            switch cut {
            case 0: return s
            case 3: return String(s.utf8.dropLast(3))! + "y"
            default: return String(s.utf8.dropLast(cut))!
            }
        }
        if s.hasSuffix("ies") && s.count > 4 { return String(s.dropLast(3)) + "y" }
        for suffix in ["sses", "xes", "ches", "shes", "zes"] where s.hasSuffix(suffix) {
            return String(s.dropLast(2))
        }
        if s.hasSuffix("s") && !s.hasSuffix("ss") && !s.hasSuffix("us") && s.count > 2 { return String(s.dropLast()) }
        return s
    }

    /// `singular`'s rules on ASCII text without a carriage return (where characters are bytes): how many bytes it
    /// drops (3: `ies` becomes `y`; 0: none); nil for any other text.
    private static func asciiSingularCut(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !b.contains(where: { $0 >= 0x80 || $0 == 13 }) else { return nil }
        func ends(_ suffix: StaticString) -> Bool {
            let k = suffix.utf8CodeUnitCount
            guard b.count >= k else { return false }
            for j in 0..<k where b[b.count - k + j] != suffix.utf8Start[j] { return false }
            return true
        }
        if ends("ies") && b.count > 4 { return 3 }
        if ends("sses") || ends("xes") || ends("ches") || ends("shes") || ends("zes") { return 2 }
        if ends("s") && !ends("ss") && !ends("us") && b.count > 2 { return 1 }
        return 0
    }
}
