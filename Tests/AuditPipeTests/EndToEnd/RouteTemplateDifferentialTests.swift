import AuditPipe
import Foundation
import Testing

/// Issue 11 (e): on a demo dump whose gateway logs a "request received" line with the route template before
/// its API record, every event's HTTP and actor fields are the API record's, read here straight from the raw
/// dump (with Foundation's JSON parser, not auditpipe's), and its action and entity follow from the concrete
/// path.
struct RouteTemplateDifferentialTests {
    /// What the gateway's API payload record of one request says.
    struct APIRecord {
        var method: String
        var path: String
        var query: [String: String]
        var status: Int
        var user: String
        var ip: String
    }

    /// The demo's routes, written out here rather than taken from the library: method and template, `{}`
    /// for a placeholder segment.
    static let routes: [(method: String, template: [String])] = [
        ("GET", ["api", "v1", "reports", "{}", "export"]), ("GET", ["api", "v1", "documents", "{}"]),
        ("POST", ["api", "v1", "orders"]), ("PUT", ["api", "v1", "users", "{}"]),
        ("DELETE", ["api", "v1", "files", "{}"]), ("POST", ["api", "v1", "pipelines", "{}", "run"]),
        ("GET", ["api", "v1", "invoices", "{}", "print"]), ("GET", ["api", "v1", "files", "{}", "download"]),
        ("POST", ["api", "v1", "auth", "login"]), ("GET", ["api", "v1", "orders"]),
    ]
    static let verbs: Set<String> = ["export", "print", "download", "run", "login"]
    static let accessVerbs: Set<String> = ["export", "print", "download"]

    /// What a request's concrete path and query imply.
    struct Expected {
        var entityID: String?
        var action: String
        var access: String?
        var fileType: String?
    }

    /// The entity id, action, access kind and file type a request's concrete path and query imply.
    static func expectation(_ r: APIRecord) -> Expected? {
        let segments = r.path.split(separator: "/").map(String.init)
        guard
            let route = routes.first(where: { route in
                route.method == r.method && route.template.count == segments.count
                    && zip(route.template, segments).allSatisfy { $0 == "{}" || $0 == $1 }
            })
        else { return nil }
        let entityID = route.template.lastIndex(of: "{}").map { segments[$0] }
        let last = segments.last ?? ""
        let defaults = ["GET": "view", "POST": "create", "PUT": "update", "DELETE": "delete"]
        let action = verbs.contains(last) ? last : defaults[r.method]!
        let access = accessVerbs.contains(action) ? action : nil
        return Expected(
            entityID: entityID, action: action, access: access,
            fileType: access == nil ? nil : r.query["format"]?.uppercased())
    }

    static func queryPairs(_ q: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in q.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            out[kv[0]] = kv.count > 1 ? kv[1] : ""
        }
        return out
    }

    /// The gateway's API records and route templates of a dump, by request id.
    static func readDump(_ data: Data) -> (api: [String: APIRecord], routes: [String: String]) {
        var api: [String: APIRecord] = [:]
        var routes: [String: String] = [:]
        for line in data.split(separator: UInt8(ascii: "\n")) {
            guard line.first == UInt8(ascii: "{"),
                let obj = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                obj["service"] as? String == "api-gateway"
            else { continue }
            if (obj["msg"] ?? obj["event"]) as? String == "request received" {
                let id = (obj["request_id"] ?? obj["reqId"] ?? obj["x_request_id"]) as! String
                routes[id] = (obj["route"] ?? (obj["http"] as? [String: Any])?["route"]) as? String
            } else if let status = obj["status"] as? Int, let id = obj["request_id"] as? String {
                let target = obj["path"] as! String
                let parts = target.split(separator: "?", maxSplits: 1).map(String.init)
                let query = parts.count > 1 ? parts[1] : obj["query"] as? String
                api[id] = APIRecord(
                    method: obj["method"] as! String, path: parts[0], query: query.map(queryPairs) ?? [:],
                    status: status, user: obj["user"] as! String, ip: obj["ip"] as! String)
            }
        }
        return (api, routes)
    }

    @Test func everyEventTakesItsFieldsFromTheAPIRecordAndItsRouteFromTheTemplate() throws {
        let tmp = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let dump = tmp.appendingPathComponent("demo.log")
        try DemoDumpTests.writeDemo(requests: 20_000, seed: 2611, to: dump)
        let (api, routes) = Self.readDump(try Data(contentsOf: dump))
        // ~0.5% of lines are malformed; every other request has its API record and its template line.
        #expect(api.count > 19_800 && routes.count > 19_800)

        let out = tmp.appendingPathComponent("events.jsonl")
        let r = try AuditPipeBinary.run(["correlate", dump.path, "--output", out.path, "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        var events: [String: [[String: Any]]] = [:]
        for line in try Data(contentsOf: out).split(separator: UInt8(ascii: "\n")) {
            let e = try JSONSerialization.jsonObject(with: Data(line)) as! [String: Any]
            if let id = e["request_id"] as? String { events[id, default: []].append(e) }
        }

        var failures: [String: Int] = [:]
        var examples: [String] = []
        func check(_ field: String, _ got: Any?, _ want: Any?, _ id: String) {
            let g = got.map { "\($0)" } ?? "null"
            let w = want.map { "\($0)" } ?? "null"
            guard g != w else { return }
            failures[field, default: 0] += 1
            if failures[field] == 1 { examples.append("\(field) of \(id): got \(g), want \(w)") }
        }
        func value(_ v: Any?) -> Any? { v is NSNull ? nil : v }
        var checked = 0
        var csvExports = 0
        for (id, record) in api {
            guard let found = events[id], found.count == 1, let e = found.first else {
                check("events per request", events[id]?.count ?? 0, 1, id)
                continue
            }
            checked += 1
            let apiBlock = e["api"] as? [String: Any] ?? [:]
            let actor = e["actor"] as! [String: Any]
            let entity = e["entity"] as! [String: Any]
            let outcome = e["outcome"] as! [String: Any]
            let access = value(e["access"]) as? [String: Any]
            check("api.method", value(apiBlock["method"]), record.method, id)
            check("api.path", value(apiBlock["path"]), record.path, id)
            check("api.route", value(apiBlock["route"]), routes[id], id)
            check("outcome.status", value(outcome["status"]), record.status, id)
            check("actor.user", value(actor["user"]), record.user, id)
            check("actor.ip", value(actor["ip"]), record.ip, id)
            guard let want = Self.expectation(record) else {
                check("known route", record.path, "a demo route", id)
                continue
            }
            check("entity.id", value(entity["id"]), want.entityID, id)
            check("action", value(e["action"]), want.action, id)
            check("access.kind", access.flatMap { value($0["kind"]) }, want.access, id)
            check("access.file_type", access.flatMap { value($0["file_type"]) }, want.fileType, id)
            if want.access == "export" && want.fileType == "CSV" { csvExports += 1 }
        }
        #expect(checked > 19_800)
        #expect(csvExports > 500)
        let counts = failures.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        #expect(failures.isEmpty, "of \(checked) events, wrong \(counts); e.g. \(examples.joined(separator: "; "))")
    }
}
