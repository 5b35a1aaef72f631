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
        let p = path ?? ""
        // The path's non-empty segments, percent-decoded, go into one scratch buffer (`raw`), lower-cased into a
        // second; both and the segments' ranges live in temporary (stack) storage, not in three arrays per
        // request. Decoding never lengthens a segment, so `n` bytes each suffice.
        // The route is filled in where it is returned from, not returned through the closures (a copy).
        var route = Route()
        p.withUTF8Bytes { b in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * b.count + 1) { scratch in
                withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: b.count / 2 + 1) { segments in
                    classify(&route, method: method, query: query, path: b, scratch: scratch, segments: segments)
                }
            }
        }
        return consume route
    }

    private static func classify(
        _ route: inout Route, method: String?, query: JSONValue?, path b: UnsafeBufferPointer<UInt8>,
        scratch: UnsafeMutableBufferPointer<UInt8>, segments: UnsafeMutableBufferPointer<Range<Int>>
    ) {
        let n = b.count
        var rawCount = 0
        var segmentCount = 0
        guard let bytes = b.baseAddress, let out = scratch.baseAddress else { return finish(&route, method, query) }
        let raw: UnsafeBufferPointer<UInt8>
        let lower: UnsafeBufferPointer<UInt8>
        if !ByteScanning.contains(UInt8(ascii: "%"), UInt8(ascii: "+"), UInt8(ascii: "+"), in: b) {
            // Nothing to decode (nearly every path): the segments are ranges of the path itself, and its lower-cased
            // copy is made whole (a copy per segment, and a byte-by-byte look for `%` and `+`, cost ~500 instructions
            // an event).
            var start = 0
            while start < n {
                var end = start
                while end < n, bytes[end] != UInt8(ascii: "/") { end += 1 }
                if end > start {
                    segments[segmentCount] = start..<end
                    segmentCount += 1
                }
                start = end + 1
            }
            Self.asciiLower(b, to: out + n)
            raw = b
            lower = UnsafeBufferPointer(start: out + n, count: n)
        } else {
            var start = 0
            while start < n {
                var end = start
                while end < n, bytes[end] != UInt8(ascii: "/") { end += 1 }
                if end > start {
                    let seg = UnsafeBufferPointer(start: bytes + start, count: end - start)
                    let from = rawCount
                    if seg.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) {
                        for c in QueryString.percentDecode(seg) {
                            out[rawCount] = c
                            rawCount += 1
                        }
                    } else {
                        (out + rawCount).update(from: bytes + start, count: end - start)
                        rawCount += end - start
                    }
                    segments[segmentCount] = from..<rawCount
                    segmentCount += 1
                }
                start = end + 1
            }
            for k in 0..<rawCount { out[n + k] = asciiLower(out[k]) }
            raw = UnsafeBufferPointer(rebasing: scratch[0..<rawCount])
            lower = UnsafeBufferPointer(rebasing: scratch[n..<(n + rawCount)])
        }
        // REST paths alternate collection / id: only the last collection and its id name the entity.
        var last: (name: Range<Int>, id: Range<Int>?)?
        var verb: String?
        var fileType: String?
        for i in 0..<segmentCount {
            var seg = segments[i]
            let isLast = i == segmentCount - 1
            if isLast, let dot = raw[seg].lastIndex(of: UInt8(ascii: ".")) {
                let ext = String(decoding: lower[(dot + 1)..<seg.upperBound], as: UTF8.self)
                if fileTypes.contains(ext) {
                    fileType = ext.uppercased()
                    seg = seg.lowerBound..<dot
                }
            }
            let word = UnsafeBufferPointer(rebasing: lower[seg])
            // API prefixes: `api`, `apis`, `rest`, versions, and Kubernetes API groups (`apps`, `rbac.authorization.k8s.io`).
            if i < 3,
                ByteScanning.equals(word, "api") || ByteScanning.equals(word, "apis")
                    || ByteScanning.equals(word, "rest") || isVersion(word)
                    || (i == 1 && ByteScanning.equals(UnsafeBufferPointer(rebasing: raw[segments[0]]), "apis"))
            {
                continue
            }
            if isLast, let v = verbOf(word) {
                verb = v
                continue
            }
            if let last, last.id != nil, isLast, subresources.contains(String(decoding: word, as: UTF8.self)) {
                continue
            }
            // An id where a collection is due (a tenant) is skipped.
            if let named = last, named.id == nil {
                last = (named.name, seg)
            } else if !isIdentifier(UnsafeBufferPointer(rebasing: raw[seg])) {
                last = (seg, nil)
            }
        }
        if let last {
            route.entityType = singular(bytes: UnsafeBufferPointer(rebasing: lower[last.name]))
            route.entityID = last.id.map { String(decoding: raw[$0], as: UTF8.self) }
        }
        finish(&route, method, query, verb: verb, fileType: fileType)
    }

    /// Sets the action, access kind and file type of a classified path (a query's format names the file type
    /// when the path does not). The route is changed in place: passed and returned, it was copied with a retain
    /// of each of its strings.
    private static func finish(
        _ route: inout Route, _ method: String?, _ query: JSONValue?, verb: String? = nil, fileType: String? = nil
    ) {
        var fileType = fileType
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
    }

    /// GET view, POST create, PUT/PATCH update, DELETE delete.
    static func defaultAction(_ method: String?) -> String? {
        // A method a parser read is upper-case already: matched as it is first (`uppercased()` made a new
        // string through the Unicode tables for every event).
        switch method {
        case "GET", "HEAD": return "view"
        case "POST": return "create"
        case "PUT", "PATCH": return "update"
        case "DELETE": return "delete"
        case .none: return nil
        default: break
        }
        return switch method?.uppercased() {
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

    /// `verbOf` on a lower-cased segment's bytes: ASCII is matched byte for byte against `verbs` and then word by
    /// word against `accessVerbs`, with no `String` made unless a verb is found; other text goes the `String` way.
    static func verbOf(_ word: ArraySlice<UInt8>) -> String? {
        word.withUnsafeBufferPointer { verbOf($0) }
    }

    /// `verbOf` on a lower-cased segment's bytes (see the `ArraySlice` form).
    static func verbOf(_ word: UnsafeBufferPointer<UInt8>) -> String? {
        guard !word.contains(where: { $0 >= 0x80 }) else { return verbOf(String(decoding: word, as: UTF8.self)) }
        if verbTable.lookup(word) != nil { return String(decoding: word, as: UTF8.self) }
        var start = 0
        for i in 0...word.count {
            guard
                i == word.count || word[i] == UInt8(ascii: "_") || word[i] == UInt8(ascii: "-")
                    || word[i] == UInt8(ascii: ".")
            else { continue }
            let part = UnsafeBufferPointer(rebasing: word[start..<i])
            if accessVerbTable.lookup(part) != nil {
                return String(decoding: part, as: UTF8.self)
            }
            start = i + 1
        }
        return nil
    }

    /// `verbs` and `accessVerbs` as byte tables, for `verbOf`'s lookups without a `String`.
    private static let verbTable = ByteKeyTable(verbs.map { ($0, true) })
    private static let accessVerbTable = ByteKeyTable(accessVerbs.map { ($0, true) })

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
    static func isVersion(_ s: ArraySlice<UInt8>) -> Bool { s.withUnsafeBufferPointer { isVersion($0) } }

    /// `isVersion` on a buffer.
    static func isVersion(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        guard s.count >= 2, s[0] == UInt8(ascii: "v"), isDigit(s[1]) else { return false }
        var i = 1
        while i < s.count, isDigit(s[i]) { i += 1 }
        if i == s.count { return true }
        for tag: StaticString in ["alpha", "beta"] {
            let k = tag.utf8CodeUnitCount
            guard s.count - i >= k, (0..<k).allSatisfy({ s[i + $0] == tag.utf8Start[$0] }) else { continue }
            return s.count - i > k && s[(i + k)...].allSatisfy(isDigit)
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
    static func isIdentifier(_ s: ArraySlice<UInt8>) -> Bool { s.withUnsafeBufferPointer { isIdentifier($0) } }

    /// `isIdentifier` on a buffer.
    static func isIdentifier(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
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

    /// `asciiLower` of each byte of `b`, written to `out`: eight ASCII bytes a step (a byte's high bit marks it
    /// `A`...`Z`: at or above `A` after adding 0x3F, not at or above `[` after adding 0x25; no sum carries), a
    /// word with a non-ASCII byte and the last bytes one by one.
    private static func asciiLower(_ b: UnsafeBufferPointer<UInt8>, to out: UnsafeMutablePointer<UInt8>) {
        guard let base = b.baseAddress else { return }
        let n = b.count
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var i = 0
        while i &+ 8 <= n {
            let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            if w & highs == 0 {
                let upper = (w &+ ones &* 0x3F) & ~(w &+ ones &* 0x25) & highs
                UnsafeMutableRawPointer(out + i).storeBytes(of: w | upper &>> 2, as: UInt64.self)
            } else {
                for k in i..<(i &+ 8) { out[k] = asciiLower(base[k]) }
            }
            i &+= 8
        }
        while i < n {
            out[i] = asciiLower(base[i])
            i &+= 1
        }
    }

    /// `reports` → `report`, `policies` → `policy`, `addresses` → `address`.
    static func singular(_ s: String) -> String {
        var t = s
        if let cut = t.withUTF8({ asciiSingularCut($0) }) {
            if cut == 0 { return s }
            return t.withUTF8 { singular($0, cutting: cut) }
        }
        if s.hasSuffix("ies") && s.count > 4 { return String(s.dropLast(3)) + "y" }
        for suffix in ["sses", "xes", "ches", "shes", "zes"] where s.hasSuffix(suffix) {
            return String(s.dropLast(2))
        }
        if s.hasSuffix("s") && !s.hasSuffix("ss") && !s.hasSuffix("us") && s.count > 2 { return String(s.dropLast()) }
        return s
    }

    /// `singular(String(decoding: b, as: UTF8.self))`, with ASCII text cut on its bytes and made into a `String`
    /// once (`String(s.utf8.dropLast(k))` cost ~600 instructions an event).
    static func singular(bytes b: UnsafeBufferPointer<UInt8>) -> String {
        guard let cut = asciiSingularCut(b) else { return singular(String(decoding: b, as: UTF8.self)) }
        return singular(b, cutting: cut)
    }

    /// The ASCII text `b` without its last `cut` bytes, with `y` for a cut of 3 (`ies`).
    private static func singular(_ b: UnsafeBufferPointer<UInt8>, cutting cut: Int) -> String {
        let kept = String(decoding: UnsafeBufferPointer(rebasing: b[..<(b.count - cut)]), as: UTF8.self)
        return cut == 3 ? kept + "y" : kept
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
