/// Writes a realistic multi-service log dump, like Vector's `demo_logs`: per request a gateway "request
/// received" line naming the matched route template (`{id}`, `:id` or `<id>`, as FastAPI, Express or Flask
/// write it) and an API gateway payload record with the concrete path (its query string in the path or in
/// a `query` field), plus 2–6 services logging in their own formats (zap, logrus, pino, bunyan, structlog, logfmt,
/// Python and Java text with stack traces) under varied request-id fields (`request_id`, `requestId`,
/// `reqId`, `req_id`, `x_request_id`, `trace_id`, `traceparent`); lines out of order within the lateness,
/// lines without ids, and ~0.5% malformed lines (truncated JSON, binary, invalid UTF-8).
public struct DemoGenerator {
    private var rng: SplitMix64
    private let requests: Int
    private var now: Int64
    private var pending = MinHeap<PendingOrder>()
    /// Lines waiting to be written, by time, then in the order they were made.
    private enum PendingOrder: HeapOrder {
        typealias Element = (time: Int64, seq: Int, line: [UInt8])
        static func less(_ a: Element, _ b: Element) -> Bool { (a.time, a.seq) < (b.time, b.seq) }
    }
    private var seq = 0

    static let users = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "svc-backup", "ci-bot"]
    static let agents = [
        "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
        "curl/8.5.0", "python-requests/2.32.3", "GitHub-Hookshot/4f1b2c3", "kubectl/v1.30.2 (linux/amd64)",
        "codefresh-cli/0.88.5", "Go-http-client/2.0",
    ]

    /// Creates a generator for `requests` requests starting at `start` (UTC ns).
    public init(requests: Int, seed: UInt64, start: Int64 = 1_795_255_200 * UTCTime.second) {
        rng = SplitMix64(seed: seed)
        self.requests = requests
        now = start
    }

    /// Generates the dump, handing out chunks of complete lines.
    public mutating func run(_ write: ([UInt8]) throws -> Void) rethrows {
        var out: [UInt8] = []
        out.reserveCapacity(1 << 20)
        for _ in 0..<requests {
            now += Int64(1 + rng.below(9_000)) * 1_000  // ~220 requests/s on average
            makeRequest()
            if rng.chance(0.03) { makeUncorrelated() }
            while let top = pending.top, top.time <= now {
                out.append(contentsOf: pending.pop()!.line)
                out.append(10)
            }
            if out.count >= 1 << 20 {
                try write(out)
                out.removeAll(keepingCapacity: true)
            }
        }
        while let top = pending.pop() {
            out.append(contentsOf: top.line)
            out.append(10)
        }
        try write(out)
    }

    /// Queues a line (and its stack-trace lines, kept right below it) to be written.
    private mutating func emit(_ time: Int64, _ line: String, then continuation: [String] = []) {
        var bytes = Array(line.utf8)
        if rng.chance(0.005) { bytes = malformed(bytes) }
        for c in continuation {
            bytes.append(10)
            bytes.append(contentsOf: c.utf8)
        }
        // Written up to 0.8 s after the event: out of order, within the default 2 s lateness.
        pending.push((time + Int64(rng.below(800)) * 1_000_000, seq, bytes))
        seq += 1
    }

    private mutating func malformed(_ line: [UInt8]) -> [UInt8] {
        switch rng.below(3) {
        case 0: return Array(line.prefix(line.count / 2))
        case 1: return [0x00, 0x01, 0x7f, 0x1b] + Array(line.prefix(12))
        default: return Array(line.prefix(20)) + [0xC3, 0x28, 0xFF] + Array(line.suffix(10))
        }
    }

    private mutating func makeRequest() {
        let route = rng.pick(DemoRoute.all)
        let id = rng.hex(32)
        let user = rng.pick(Self.users)
        let ua = rng.pick(Self.agents)
        let ip = "10.\(rng.below(4)).\(rng.below(256)).\(rng.below(254) + 1)"
        let path = route.path(&rng)
        let query = route.query(&rng)
        let body = route.body(&rng)
        let failure = rng.below(100)
        let status = failure < 4 ? 500 : failure < 9 ? rng.pick([403, 404, 409]) : route.okStatus
        let count = min(route.services.count, 2 + rng.below(5))
        let services = Array(route.services.prefix(count))
        let duration = Int64(5 + rng.below(400)) * 1_000_000
        emit(now, receivedLine(route, id: id))
        var t = now
        for (i, svc) in services.enumerated() {
            let lines = 1 + rng.below(2)
            for k in 0..<lines {
                t += Int64(rng.below(duration > 0 ? Int(duration) / (count * 2 + 1) : 1))
                let failing = status == 500 && i == services.count - 1 && k == lines - 1
                emit(
                    t, serviceLine(svc, id: id, user: user, time: t, failing: failing),
                    then: failing ? Self.trace(svc) : [])
            }
        }
        let end = max(t, now + duration)
        var gw =
            "{\"ts\":\"\(UTCTime.rfc3339Millis(end))\",\"service\":\"api-gateway\",\"level\":\"\(status >= 500 ? "error" : status >= 400 ? "warn" : "info")\",\"request_id\":\"\(id)\",\"method\":\"\(route.method)\",\"path\":\"\(path)"
        // Some gateways log the URL as requested (query string included), others the query apart.
        if let query, rng.chance(0.5) {
            gw += "?\(query)\""
        } else {
            gw += "\""
            if let query { gw += ",\"query\":\"\(query)\"" }
        }
        gw +=
            ",\"status\":\(status),\"user\":\"\(user)\",\"user_id\":\"u-\(1000 + Self.users.firstIndex(of: user)!)\",\"ip\":\"\(ip)\""
        gw +=
            ",\"headers\":{\"User-Agent\":\"\(ua)\",\"Authorization\":\"Bearer eyJ\(rng.hex(40))\",\"X-Request-Id\":\"\(id)\"}"
        if let body { gw += ",\"body\":\(body)" }
        gw += ",\"duration_ms\":\((end - now) / 1_000_000)}"
        emit(end, gw)
    }

    /// The gateway's "request received" line: the route template it matched, before authentication (so
    /// with the load balancer's address, or an anonymous user), in one of three loggers' styles.
    private mutating func receivedLine(_ route: DemoRoute, id: String) -> String {
        let iso = UTCTime.rfc3339Millis(now)
        let lb = "10.255.0.\(1 + rng.below(4))"
        switch rng.below(3) {
        case 0:  // FastAPI + structlog: `{id}`
            return
                "{\"timestamp\":\"\(iso)\",\"level\":\"info\",\"event\":\"request received\",\"service\":\"api-gateway\",\"request_id\":\"\(id)\",\"method\":\"\(route.method)\",\"route\":\"\(route.template)\",\"client_ip\":\"\(lb)\"}"
        case 1:  // Express + pino: `:id`
            let template = Self.rewrite(route.template) { ":\($0)" }
            return
                "{\"level\":30,\"time\":\(now / 1_000_000),\"service\":\"api-gateway\",\"reqId\":\"\(id)\",\"req\":{\"method\":\"\(route.method)\",\"remoteAddress\":\"\(lb)\"},\"route\":\"\(template)\",\"user\":\"anonymous\",\"msg\":\"request received\"}"
        default:  // Flask: `<id>`, `<string:name>`
            let template = Self.rewrite(route.template) { $0 == "id" ? "<id>" : "<string:\($0)>" }
            return
                "{\"ts\":\"\(iso)\",\"service\":\"api-gateway\",\"level\":\"info\",\"msg\":\"request received\",\"x_request_id\":\"\(id)\",\"http\":{\"method\":\"\(route.method)\",\"route\":\"\(template)\"},\"remote_addr\":\"\(lb)\"}"
        }
    }

    /// `template` with each `{name}` placeholder written as `placeholder(name)`.
    static func rewrite(_ template: String, _ placeholder: (String) -> String) -> String {
        template.split(separator: "/", omittingEmptySubsequences: false).map { seg in
            seg.hasPrefix("{") && seg.hasSuffix("}") ? placeholder(String(seg.dropFirst().dropLast())) : String(seg)
        }.joined(separator: "/")
    }

    private mutating func serviceLine(_ svc: String, id: String, user: String, time t: Int64, failing: Bool) -> String {
        let iso = UTCTime.rfc3339Millis(t)
        let level = failing ? "error" : rng.chance(0.1) ? "debug" : "info"
        let msg =
            failing
            ? "upstream call failed" : rng.pick(["handled", "cache miss", "query done", "authorized", "queued"])
        let secs = t / UTCTime.second
        let micros = t % UTCTime.second / 1000
        let micro = String(micros + 1_000_000).dropFirst()
        switch svc {
        case "auth":
            return
                "{\"level\":\"\(level)\",\"ts\":\(secs).\(micro),\"caller\":\"auth/handler.go:88\",\"msg\":\"token \(msg)\",\"request_id\":\"\(id)\",\"user\":\"\(user)\",\"service\":\"auth\"}"
        case "reports", "orders":
            return
                "{\"level\":\"\(level)\",\"msg\":\"\(svc) \(msg)\",\"time\":\"\(iso)\",\"requestId\":\"\(id)\",\"service\":\"\(svc)\",\"rows\":\(rng.below(5000))}"
        case "billing":
            let n = level == "error" ? 50 : level == "debug" ? 20 : 30
            return
                "{\"level\":\(n),\"time\":\(t / 1_000_000),\"pid\":4242,\"hostname\":\"billing-7d9f\",\"reqId\":\"\(id)\",\"msg\":\"charge \(msg)\",\"service\":\"billing\"}"
        case "notifications":
            let n = level == "error" ? 50 : 30
            return
                "{\"name\":\"notifications\",\"hostname\":\"notify-1\",\"pid\":77,\"level\":\(n),\"msg\":\"mail \(msg)\",\"time\":\"\(iso)\",\"v\":0,\"req_id\":\"\(id)\"}"
        case "users":
            return
                "{\"event\":\"profile \(msg)\",\"level\":\"\(level)\",\"timestamp\":\"\(iso)\",\"service\":\"users\",\"trace_id\":\"\(id)\"}"
        case "search":
            return
                "{\"ts\":\"\(iso)\",\"severity\":\"\(level.uppercased())\",\"message\":\"index \(msg)\",\"service\":\"search\",\"traceparent\":\"00-\(id)-\(rng.hex(16))-01\"}"
        case "storage", "pipelines":
            return
                "time=\(iso) level=\(level) service=\(svc) msg=\"blob \(msg)\" x_request_id=\(id) bytes=\(rng.below(1 << 20))"
        case "pdf-renderer":
            let stamp = iso.prefix(10) + " " + iso.dropFirst(11).prefix(8) + "," + iso.dropFirst(20).prefix(3)
            return "\(stamp) \(level.uppercased()) [pdf-renderer] request_id=\(id) render \(msg)"
        default:
            return "\(iso) \(level.uppercased()) [\(svc)] request_id=\(id) stock \(msg)"
        }
    }

    /// The stack trace a failing service prints under its error line.
    static func trace(_ svc: String) -> [String] {
        switch svc {
        case "inventory":
            return [
                "java.lang.IllegalStateException: reservation expired",
                "\tat com.example.inventory.Reserve.run(Reserve.java:42)",
                "\tat java.base/java.lang.Thread.run(Thread.java:1583)",
            ]
        case "pdf-renderer":
            return [
                "Traceback (most recent call last):", "  File \"/app/render.py\", line 88, in render",
                "    doc = build(template)", "ValueError: template missing",
            ]
        default: return []
        }
    }

    private mutating func makeUncorrelated() {
        let t = now + Int64(rng.below(100)) * 1_000_000
        emit(
            t,
            "{\"level\":\"debug\",\"ts\":\"\(UTCTime.rfc3339Millis(t))\",\"msg\":\"health check ok\",\"service\":\"api-gateway\"}"
        )
    }
}
