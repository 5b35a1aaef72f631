import AuditPipe
import AuditPipeServe
import Foundation
import Testing

/// The router alone, without sockets: requests in, responses out; and its access log archived by `archive`.
@Suite(.serialized)
struct ScreenRouterTests {
    let f: ScreenFixture
    init() throws { f = try ScreenFixture.get() }

    func request(_ target: String, method: String = "GET", user: (String, String)? = ScreenFixture.auditor)
        -> ScreenRequest
    {
        var headers: [(name: String, value: String)] = [("User-Agent", "router-test")]
        if let (name, password) = user {
            headers.append(("Authorization", "Basic " + Data("\(name):\(password)".utf8).base64EncodedString()))
        }
        return ScreenRequest(method: method, target: target, headers: headers, peer: "127.0.0.1")
    }

    @Test func methodsAuthAndRolesWithoutSockets() throws {
        let router = ScreenRouter(
            catalog: ScreenCatalogs.open([f.archive]), authenticator: try Authenticator(usersFile: f.usersFile),
            auditLog: nil)
        #expect(router.respond(request("/api/events", method: "POST")).status == 405)
        #expect(router.respond(request("/api/events", user: nil)).status == 401)
        #expect(router.respond(request("/api/me")).bytes == Array(#"{"user":"alice","role":"auditor"}"#.utf8))
        #expect(router.respond(request("/api/export", user: ScreenFixture.viewer)).status == 403)
        #expect(router.respond(request("/nowhere")).status == 404)
        let page = router.respond(request("/api/events?limit=3&q=action+%3D%3D+%22login%22"))
        let json = try JSONSerialization.jsonObject(with: Data(page.bytes)) as! [String: Any]
        #expect((json["events"] as! [[String: Any]]).allSatisfy { $0["action"] as? String == "login" })
    }

    @Test func theAccessLogIsALiveDirectoryArchiveTakes() throws {
        let dir = try ServeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let live = dir.appendingPathComponent("screen-live").path
        // A read made on 2026-11-25, so its day has ended by now and archive takes it.
        let then = Int64(1_795_600_000) * UTCTime.second
        let router = ScreenRouter(
            catalog: ScreenCatalogs.open([f.archive]), authenticator: try Authenticator(usersFile: f.usersFile),
            auditLog: try AccessAuditLog(directory: live), now: { then })
        let any = try #require(f.queryEvents(["action == \"update\""]).first?["event_id"] as? String)
        #expect(router.respond(request("/api/events/\(any)")).status == 200)
        let export = router.respond(request("/api/export?format=jsonl&q=action+%3D%3D+%22update%22"))
        #expect(export.status == 200)
        #expect(Data(export.bytes) == (try f.query(["action == \"update\""])))
        if case .temporaryFile(let path) = export.body { try FileManager.default.removeItem(atPath: path) }
        let archived = try ServeBinary.run(
            ["archive", "--from", "screen-live", "--to", "reads", "--older-than", "0", "-q"], in: dir)
        #expect(archived.status == 0, "\(archived.stderr)")
        let reads = try ServeBinary.run(["query", "reads", "--all", "-q"], in: dir)
        let events = reads.stdout.split(separator: 10).map {
            try! JSONSerialization.jsonObject(with: Data($0)) as! [String: Any]
        }
        #expect(events.count == 2)
        #expect(Set(events.map { $0["action"] as? String }) == ["view", "export"])
        for e in events {
            #expect(e["start"] as? String == UTCTime.rfc3339Millis(then))
            #expect((e["actor"] as? [String: Any])?["user"] as? String == "alice")
            #expect((e["actor"] as? [String: Any])?["user_agent"] as? String == "router-test")
        }
        let view = try #require(events.first { $0["action"] as? String == "view" })
        #expect((view["access"] as? [String: Any])?["document"] as? String == any)
        #expect((view["entity"] as? [String: Any])?["id"] as? String == any)
    }
}
