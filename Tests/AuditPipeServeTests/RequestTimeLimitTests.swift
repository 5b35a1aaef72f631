import AuditPipeHTTP
import Foundation
import Testing

@testable import AuditPipe
@testable import AuditPipeServe

/// A request's running time is bounded: catalog work past its deadline stops (scan loops, index rows, the
/// SQLite progress handler) and the screen answers 503; a client that stops reading an answer is dropped.
@Suite(.serialized)
struct RequestTimeLimitTests {
    let f: ScreenFixture
    init() throws { f = try ScreenFixture.get() }

    @Test func workPastTheRequestTimeoutIs503WithAMessage() throws {
        var limits = HTTPLimits()
        limits.requestTimeoutSeconds = 0
        let router = ScreenRouter(
            catalog: ScreenCatalogs.open([f.archive]), authenticator: try Authenticator(usersFile: f.usersFile),
            auditLog: nil)
        let server = try ScreenServer(router: router, host: "127.0.0.1", port: 0, limits: limits)
        Thread.detachNewThread { server.run() }
        defer { server.stop() }
        let (user, password) = ScreenFixture.auditor
        for path in ["/api/events?text=files", "/api/activity", "/api/export?format=csv&q=action+%3D%3D+%22login%22"] {
            let r = try HTTPTestClient.get(server.port, path, user: user, password: password)
            #expect(r.status == 503, "\(path)")
            #expect(r.text.contains("longer than its limit"), "\(path): \(r.text)")
        }
        #expect(try HTTPTestClient.get(server.port, "/api/me", user: user, password: password).status == 200)
    }

    @Test func theScanOfTheDayFilesStopsAtItsDeadline() throws {
        let scan = ScanCatalog(root: f.archive)
        let all = try scan.forEach(CatalogQuery()) { _ in }
        #expect(all.matched > 0)
        #expect(throws: OutputError.self) {
            try CatalogDeadline.$current.withValue(CatalogDeadline(seconds: 0)) {
                _ = try scan.page(CatalogQuery(text: "files"), limit: 10, after: nil)
            }
        }
    }

    @Test func theIndexStopsAtItsDeadline() throws {
        let indexed = try #require(CatalogOpening.open(archive: f.archive, scan: false) as? IndexedCatalog)
        #expect(try indexed.page(CatalogQuery(), limit: 10, after: nil).events.count == 10)
        #expect(throws: OutputError.self) {
            try CatalogDeadline.$current.withValue(CatalogDeadline(seconds: 0)) {
                _ = try indexed.page(CatalogQuery(text: "files"), limit: 10, after: nil)
            }
        }
    }

    @Test func theProgressHandlerInterruptsALongStatementPastTheDeadline() throws {
        let dir = try ServeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try SQLiteDatabase(path: dir.appendingPathComponent("t.sqlite").path, create: true)
        // Some hundred million virtual machine steps: seconds of work when nothing stops it.
        let long =
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000000) SELECT count(*) FROM c"
        #expect(try db.integer("SELECT 42") == 42)
        let error = #expect(throws: OutputError.self) {
            try CatalogDeadline.$current.withValue(CatalogDeadline(seconds: 0)) { _ = try db.integer(long) }
        }
        #expect(error?.message.contains("past its limit") == true)
    }

    @Test func aClientThatStopsReadingIsDroppedAfterTheWriteTimeout() throws {
        var limits = HTTPLimits()
        limits.writeTimeoutSeconds = 1
        limits.timeoutSeconds = 120
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 64 << 20)
        let server = try HTTPServer(host: "127.0.0.1", port: 0, limits: limits) { _ in
            HTTPResponseMessage(status: 200, headers: [], body: .bytes(body))
        }
        Thread.detachNewThread { server.run() }
        defer { server.stop() }
        let fd = try HTTPTestClient.connected(server.port)
        defer { close(fd) }
        let request = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        #expect(request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == request.count)
        // Never read: the server's writes block once the socket buffers are full, until the write timeout.
        var polls = 0
        while server.openConnections == 0 && polls < 600 {
            usleep(10_000)
            polls += 1
        }
        #expect(server.openConnections == 1, "the request is being answered")
        polls = 0
        while server.openConnections > 0 && polls < 600 {
            usleep(100_000)
            polls += 1
        }
        #expect(server.openConnections == 0, "the worker was freed")
        var received = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            received += n
        }
        #expect(received < body.count, "the answer was cut off, not sent whole")
    }
}
