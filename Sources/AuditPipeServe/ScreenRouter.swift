import AuditPipe
import Foundation

/// The audit screen's routes, framework-agnostic: a `ScreenRequest` in, a `ScreenResponse` out. Every route but
/// `/healthz` asks for HTTP Basic credentials from the users file; `viewer` lists and reads, `auditor` also
/// exports; every export and every details view is written to the access audit log first (no log, no data).
/// GET only, no cookies, and security headers on every answer.
public struct ScreenRouter: Sendable {
    /// The archives read.
    public let catalog: any EventCatalog
    /// Who may sign in.
    public let authenticator: Authenticator
    /// Where reads are logged, or nil (then they are not).
    public let auditLog: AccessAuditLog?
    /// The clock, UTC nanoseconds (ages in `since`/`until` count back from it).
    public let now: @Sendable () -> Int64
    /// Where exports are written before they are sent.
    public let temporaryDirectory: String
    /// Counts failed sign-ins and refuses more past its limits.
    public let throttle: SignInThrottle

    /// Largest page of the list.
    public static let maxLimit = 500

    /// Creates a router.
    public init(
        catalog: any EventCatalog, authenticator: Authenticator, auditLog: AccessAuditLog?,
        temporaryDirectory: String = NSTemporaryDirectory(), throttle: SignInThrottle = SignInThrottle(),
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1e9) }
    ) {
        self.catalog = catalog
        self.throttle = throttle
        self.authenticator = authenticator
        self.auditLog = auditLog
        self.temporaryDirectory = temporaryDirectory
        self.now = now
    }

    /// Answers one request.
    public func respond(_ request: ScreenRequest) -> ScreenResponse {
        var response = route(request)
        response.headers += [
            (
                "Content-Security-Policy",
                "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
            ),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "no-referrer"),
            ("Cache-Control", "no-store"),
        ]
        return response
    }

    private func route(_ r: ScreenRequest) -> ScreenResponse {
        guard r.method == "GET" else {
            return ScreenResponse(
                status: 405, headers: [("Allow", "GET"), ("Content-Type", "text/plain; charset=utf-8")],
                body: .bytes(Array("only GET is served\n".utf8)))
        }
        if r.path == "/healthz" {
            return ScreenResponse(
                status: 200, headers: [("Content-Type", "text/plain; charset=utf-8")], body: .bytes(Array("ok\n".utf8)))
        }
        let user: String
        let role: UserRole
        switch signIn(r) {
        case .signedIn(let name, let granted): (user, role) = (name, granted)
        case .anonymous: return Self.unauthorized
        case .failed(let name, let reserved):
            let verdict = throttle.failed(user: name, address: r.peer, now: now(), reserved: reserved)
            logSignIn(r, user: name, status: 401)
            if case .locked(let seconds) = verdict { return Self.tooManyAttempts(seconds) }
            return Self.unauthorized
        case .throttled(let seconds): return Self.tooManyAttempts(seconds)
        }
        let session = Session(user: user, role: role, request: r)
        switch r.path {
        case "/", "/index.html": return asset(ScreenPage.html, "text/html; charset=utf-8")
        case "/app.js": return asset(ScreenScript.source, "text/javascript; charset=utf-8")
        case "/app.css": return asset(ScreenStyle.source, "text/css; charset=utf-8")
        case "/api/me": return me(session)
        case "/api/events": return list(session)
        case "/api/activity": return activity(session)
        case "/api/export": return export(session)
        default:
            if let id = r.path.dropPrefix("/api/events/") { return details(session, id: id) }
            if let id = r.path.dropPrefix("/api/requests/") { return wholeRequest(session, id: id) }
            return .error(404, "no such page: \(r.path)")
        }
    }

    /// What the `Authorization: Basic` header comes to.
    private enum SignIn {
        /// The right password for a user of the file.
        case signedIn(String, UserRole)
        /// No credentials: the first request of a browser, which then asks for them.
        case anonymous
        /// Credentials that are wrong (the name tried, as sent; whether its check was reserved).
        case failed(String, reserved: Bool)
        /// Refused unchecked for this many seconds: too many failures for the name or the address.
        case throttled(Int64)
    }

    private func signIn(_ r: ScreenRequest) -> SignIn {
        guard let header = r.headers["authorization"] else { return .anonymous }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard header.count < 1024, parts.count == 2, parts[0].lowercased() == "basic",
            let data = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
            let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else {
            if case .locked(let seconds) = throttle.verdict(user: "", address: r.peer, now: now()) {
                return .throttled(seconds)
            }
            return .failed("", reserved: false)
        }
        let user = String(text[..<colon])
        let password = String(text[text.index(after: colon)...])
        if case .locked(let seconds) = throttle.reserve(user: user, address: r.peer, now: now()) {
            return .throttled(seconds)
        }
        guard UsersFile.validName(user), let role = authenticator.role(user: user, password: password) else {
            return .failed(user, reserved: true)
        }
        throttle.succeeded(user: user, address: r.peer)
        return .signedIn(user, role)
    }

    private static let unauthorized = ScreenResponse(
        status: 401,
        headers: [
            ("WWW-Authenticate", #"Basic realm="auditpipe", charset="UTF-8""#),
            ("Content-Type", "application/json"),
        ],
        body: .bytes(Array(#"{"error":"sign in with a user of the users file"}"#.utf8)))

    private static func tooManyAttempts(_ seconds: Int64) -> ScreenResponse {
        var response = ScreenResponse.error(
            429, "too many failed sign-ins for this user or from this address; try again in \(seconds) s")
        response.headers.append(("Retry-After", String(seconds)))
        return response
    }

    /// Writes a refused sign-in to the audit log (a failure to write it does not change the answer).
    private func logSignIn(_ r: ScreenRequest, user: String, status: Int) {
        guard let auditLog else { return }
        let entry = AccessAuditLog.Entry(
            user: String(user.prefix(64)), action: "sign-in", fileType: "JSON", filters: .object([]), document: nil,
            origin: OriginClassifier.classify(userAgent: r.headers["user-agent"], user: user) ?? "api", ip: r.peer,
            userAgent: r.headers["user-agent"], path: r.path, query: nil, status: status)
        try? auditLog.record(entry, requestID: Self.requestID(), time: now())
    }

    /// A fresh request id for an access log event.
    private static func requestID() -> String {
        var rng = SystemRandomNumberGenerator()
        return "serve-" + String(rng.next(), radix: 16) + String(rng.next(), radix: 16)
    }

    private func asset(_ text: String, _ type: String) -> ScreenResponse {
        ScreenResponse(status: 200, headers: [("Content-Type", type)], body: .bytes(Array(text.utf8)))
    }

    private func me(_ s: Session) -> ScreenResponse {
        var w = JSONWriter(capacity: 64)
        w.raw("{")
        w.key("user")
        w.string(s.user)
        w.raw(",")
        w.key("role")
        w.string(s.role.rawValue)
        w.raw("}")
        return .json(200, w.bytes)
    }

    private func list(_ s: Session) -> ScreenResponse {
        let q: ScreenQuery
        switch ScreenQuery.parse(s.request.query, now: now()) {
        case .failure(let e): return .error(400, e.message)
        case .success(let parsed): q = parsed
        }
        var limit = 50
        if let text = s.request.query["limit"], !text.isEmpty {
            guard let n = Int(text), n >= 1 else { return .error(400, "limit takes a whole number from 1") }
            limit = min(n, Self.maxLimit)
        }
        var cursor: CatalogCursor?
        if let text = s.request.query["cursor"], !text.isEmpty {
            guard let c = CatalogCursor(text: text) else {
                return .error(400, "cursor takes START_NS.EVENT_ID, as a page's next gives it")
            }
            cursor = c
        }
        do {
            let page = try catalog.page(q.catalog, limit: limit, after: cursor)
            // A page of the list shows whole events too: it is a read like a details view.
            if let failure = log(s, action: "view", fileType: "JSON", filters: q.filters, document: nil) {
                return failure
            }
            var out = Array(#"{"total":\#(page.total),"events":["#.utf8)
            for (i, e) in page.events.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out += e.line
            }
            out += Array(#"],"next":"#.utf8)
            if let next = page.next {
                var w = JSONWriter(capacity: 64)
                w.string(next.text)
                out += w.bytes
            } else {
                out += Array("null".utf8)
            }
            out += Array("}".utf8)
            return .json(200, out)
        } catch {
            return Self.readFailure(error, "cannot read the archive")
        }
    }

    private func details(_ s: Session, id: String) -> ScreenResponse {
        let found: CatalogEvent?
        do {
            found = try catalog.event(id: id)
        } catch {
            return Self.readFailure(error, "cannot read the archive")
        }
        guard let event = found else { return .error(404, "no event \(id)") }
        if let failure = log(s, action: "view", fileType: "JSON", filters: .object([]), document: id) {
            return failure
        }
        return .json(200, event.line)
    }

    private func wholeRequest(_ s: Session, id: String) -> ScreenResponse {
        do {
            let events = try catalog.request(id: id)
            if let failure = log(s, action: "view", fileType: "JSON", filters: .object([]), document: id) {
                return failure
            }
            var w = JSONWriter(capacity: 64)
            w.raw("{")
            w.key("request_id")
            w.string(id)
            w.raw(",")
            var out = w.bytes + Array(#""events":["#.utf8)
            for (i, e) in events.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out += e.line
            }
            out += Array("]}".utf8)
            return .json(200, out)
        } catch {
            return Self.readFailure(error, "cannot read the archive")
        }
    }

    private func activity(_ s: Session) -> ScreenResponse {
        let q: ScreenQuery
        switch ScreenQuery.parse(s.request.query, now: now()) {
        case .failure(let e): return .error(400, e.message)
        case .success(let parsed): q = parsed
        }
        guard let grouping = ActivitySummary.Grouping(rawValue: s.request.query["by"] ?? "node") else {
            return .error(400, "by takes node or user")
        }
        var depth = 2
        if let text = s.request.query["depth"], !text.isEmpty {
            guard let n = Int(text), (1...32).contains(n) else { return .error(400, "depth takes 1 to 32") }
            depth = n
        }
        var summary = ActivitySummary(by: grouping, depth: depth)
        do {
            _ = try catalog.forEach(q.catalog) { e throws(OutputError) in summary.add(line: e.line[...]) }
        } catch {
            return Self.readFailure(error, "cannot read the archive")
        }
        var w = JSONWriter(capacity: 4096)
        w.raw("{")
        w.key("by")
        w.string(grouping.rawValue)
        w.raw(",")
        w.key("skipped")
        w.int(summary.skipped)
        w.raw(",")
        w.key("rows")
        w.value(summary.json())
        w.raw("}")
        return .json(200, w.bytes)
    }

    private func export(_ s: Session) -> ScreenResponse {
        guard s.role.mayExport else { return .error(403, "exporting needs the auditor role") }
        guard let format = EventExport.Format(rawValue: s.request.query["format"] ?? "csv") else {
            return .error(400, "format takes csv, xlsx or jsonl")
        }
        let fileType = format.rawValue.uppercased()
        let q: ScreenQuery
        switch ScreenQuery.parse(s.request.query, now: now()) {
        case .failure(let e): return .error(400, e.message)
        case .success(let parsed): q = parsed
        }
        let path = temporaryDirectory + "/auditpipe-export-\(UUID().uuidString).\(format.rawValue)"
        do {
            try EventExport.write(
                catalog, q.catalog, format: format, to: path, bom: s.request.query["bom"] == "1")
        } catch {
            unlink(path)
            return Self.readFailure(error, "export failed")
        }
        if let failure = log(s, action: "export", fileType: fileType, filters: q.filters, document: nil) {
            unlink(path)
            return failure
        }
        let type =
            switch format {
            case .csv: "text/csv; charset=utf-8"
            case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            case .jsonl: "application/x-ndjson"
            }
        let stamp = UTCTime.rfc3339Millis(now()).prefix(19).replacingOccurrences(of: ":", with: "")
        return ScreenResponse(
            status: 200,
            headers: [
                ("Content-Type", type),
                ("Content-Disposition", #"attachment; filename="auditpipe-events-\#(stamp).\#(format.rawValue)""#),
            ],
            body: .temporaryFile(path))
    }

    /// 503 when the request ran past its deadline (`HTTPLimits.requestTimeoutSeconds`), else 500.
    private static func readFailure(_ error: any Error, _ what: String) -> ScreenResponse {
        if let deadline = CatalogDeadline.current, deadline.hasPassed {
            return .error(
                503,
                "the request took longer than its limit of \(deadline.seconds) s and was stopped; narrow the time "
                    + "range or the filter (or raise serve --request-timeout)")
        }
        return .error(500, "\(what): \(error)")
    }

    /// Writes a read to the audit log; the answer to give instead when that fails.
    private func log(_ s: Session, action: String, fileType: String, filters: JSONValue, document: String?)
        -> ScreenResponse?
    {
        guard let auditLog else { return nil }
        var query: [JSONMember] = []
        for key in s.request.query.keys.sorted() { query.append(JSONMember(key, .string(s.request.query[key]!))) }
        let entry = AccessAuditLog.Entry(
            user: s.user, action: action, fileType: fileType, filters: filters, document: document,
            // From the client's user agent, as for every other event (a query parameter could be set by anyone).
            origin: OriginClassifier.classify(userAgent: s.request.headers["user-agent"], user: s.user) ?? "api",
            ip: s.request.peer,
            userAgent: s.request.headers["user-agent"], path: s.request.path,
            query: query.isEmpty ? nil : .object(query), status: 200)
        do {
            try auditLog.record(entry, requestID: Self.requestID(), time: now())
            return nil
        } catch {
            return .error(500, "cannot write the audit log (\(error)); nothing was shown")
        }
    }

    /// The signed-in user of one request.
    private struct Session {
        var user: String
        var role: UserRole
        var request: ScreenRequest
    }
}

extension String {
    /// The rest after `prefix` when it starts with it and the rest is not empty, else nil.
    fileprivate func dropPrefix(_ prefix: String) -> String? {
        guard hasPrefix(prefix), count > prefix.count else { return nil }
        return String(dropFirst(prefix.count))
    }
}
