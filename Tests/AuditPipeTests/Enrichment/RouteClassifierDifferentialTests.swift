import Testing

@testable import AuditPipe

/// `RouteClassifier.classify` works on one decoded buffer of the path instead of an array per segment: it must
/// classify every path as the code before it did (kept here as the oracle), on paths built at random from the
/// pieces that steer it (API prefixes, versions, Kubernetes groups, collections, ids of every shape, verbs,
/// subresources, file extensions, percent escapes, upper case, non-ASCII, route placeholders, empty segments).
struct RouteClassifierDifferentialTests {
    enum Reference {
        /// The classification before it worked on one buffer (commit c1459aa): the oracle.
        static func classify(method: String?, path: String?, query: JSONValue?) -> RouteClassifier.Route {
            var route = RouteClassifier.Route()
            let segments = pathSegments(path ?? "")
            var collections: [(name: [UInt8], id: [UInt8]?)] = []
            var verb: String?
            var fileType: String?
            for (i, raw) in segments.enumerated() {
                var seg = raw
                let isLast = i == segments.count - 1
                if isLast, let dot = seg.lastIndex(of: UInt8(ascii: ".")) {
                    let ext = String(
                        decoding: seg[(dot + 1)...].map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 }, as: UTF8.self)
                    if RouteClassifier.fileTypes.contains(ext) {
                        fileType = ext.uppercased()
                        seg.removeSubrange(dot...)
                    }
                }
                let lower = seg.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 }
                // API prefixes: `api`, `apis`, `rest`, versions, and Kubernetes API groups (`apps`, `rbac.authorization.k8s.io`).
                if i < 3,
                    lower.elementsEqual("api".utf8) || lower.elementsEqual("apis".utf8)
                        || lower.elementsEqual("rest".utf8)
                        || RouteClassifier.isVersion(lower[...]) || (i == 1 && segments[0].elementsEqual("apis".utf8))
                {
                    continue
                }
                if isLast, let v = RouteClassifier.verbOf(String(decoding: lower, as: UTF8.self)) {
                    verb = v
                    continue
                }
                if let last = collections.last, last.id != nil, isLast,
                    RouteClassifier.subresources.contains(String(decoding: lower, as: UTF8.self))
                {
                    continue
                }
                // REST paths alternate collection / id; an id where a collection is due (a tenant) is skipped.
                if let last = collections.last, last.id == nil {
                    collections[collections.count - 1].id = seg
                } else if !RouteClassifier.isIdentifier(seg[...]) {
                    collections.append((lower, nil))
                }
            }
            if let last = collections.last {
                route.entityType = RouteClassifier.singular(String(decoding: last.name, as: UTF8.self))
                route.entityID = last.id.map { String(decoding: $0, as: UTF8.self) }
            }
            if fileType == nil, let q = query {
                for key in ["format", "file_format_type", "file_type", "type", "export_format"] {
                    if let v = q[key]?.scalarText, RouteClassifier.fileTypes.contains(v.lowercased()) {
                        fileType = v.uppercased()
                        break
                    }
                }
            }
            route.action = verb ?? RouteClassifier.defaultAction(method)
            if let v = verb, RouteClassifier.accessVerbs.contains(v) {
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
    }

    static let pieces: [String] = [
        "api", "API", "apis", "Apis", "rest", "v1", "v2", "V3", "v1beta1", "v2alpha1", "v1gamma", "apps",
        "rbac.authorization.k8s.io",
        "orders", "reports", "users", "policies", "addresses", "boxes", "churches", "status", "scale", "log", "exec",
        "namespaces", "pods", "sales", "Sales", "42", "0", "d54b3c1e-8f2a-4c3e-9b1a-2f3e4d5c6b7a",
        "54fadb412c4e40cdbaed9335e4c35a9e",
        "abc-123", "x_9", "9abc", "export", "Export", "download", "print", "login", "export_query", "download-pdf",
        "run.now", "report.csv", "REPORT.XLSX", "file.tar", "a.pdf", ".csv", "{id}", ":id", "<int:id>", ":9", "{x",
        "caf%C3%A9", "a%2Fb", "%41", "x+y", "ñame", "d%", "%zz", "", "bus", "class", "s", "ies", "cities",
    ]

    @Test func theBufferedClassificationEqualsTheOldOneOnRandomPaths() {
        var rng = SplitMix64(seed: 2026)
        let methods: [String?] = [nil, "GET", "get", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "Purge"]
        let queries: [JSONValue?] = [
            nil, .object([JSONMember("format", .string("CSV"))]), .object([JSONMember("type", .string("pdf"))]),
            .object([JSONMember("q", .string("x"))]),
        ]
        for _ in 0..<20_000 {
            var path = rng.next() % 5 == 0 ? "" : "/"
            for _ in 0..<Int(rng.next() % 7) {
                path += Self.pieces[Int(rng.next() % UInt64(Self.pieces.count))]
                path += rng.next() % 9 == 0 ? "//" : "/"
            }
            if rng.next() % 2 == 0, path.hasSuffix("/") { path.removeLast() }
            let method = methods[Int(rng.next() % UInt64(methods.count))]
            let query = queries[Int(rng.next() % UInt64(queries.count))]
            let givenPath: String? = rng.next() % 50 == 0 ? nil : path
            let want = Reference.classify(method: method, path: givenPath, query: query)
            let got = RouteClassifier.classify(method: method, path: givenPath, query: query)
            #expect(got == want, "\(method ?? "nil") \(givenPath ?? "nil")")
        }
    }
}
