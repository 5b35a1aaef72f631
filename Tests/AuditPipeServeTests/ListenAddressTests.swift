import AuditPipeHTTP
import Foundation
import Testing

/// `--listen` takes IPv4 as before and IPv6 in brackets: `[::1]` (loopback) and `[::]` (dual stack, IPv4
/// clients too, seen as plain IPv4 addresses).
@Suite(.serialized)
struct ListenAddressTests {
    /// A server answering each request with the client's address as the server saw it.
    func peerEcho(_ host: String) throws -> HTTPServer {
        let server = try HTTPServer(host: host, port: 0) { head in
            HTTPResponseMessage(status: 200, headers: [], body: .bytes(Array(head.peer.utf8)))
        }
        Thread.detachNewThread { server.run() }
        return server
    }

    @Test func ipv6LoopbackIsServed() throws {
        let server = try peerEcho("[::1]")
        defer { server.stop() }
        let r = try HTTPTestClient.get(server.port, "/", host: "::1")
        #expect(r.status == 200)
        #expect(r.text == "::1")
        #expect(throws: HTTPTestClient.ClientError.self) { try HTTPTestClient.get(server.port, "/") }
    }

    @Test func theIPv6UnspecifiedAddressTakesIPv4ClientsToo() throws {
        let server = try peerEcho("[::]")
        defer { server.stop() }
        let v6 = try HTTPTestClient.get(server.port, "/", host: "::1")
        #expect(v6.status == 200)
        #expect(v6.text == "::1")
        let v4 = try HTTPTestClient.get(server.port, "/", host: "127.0.0.1")
        #expect(v4.status == 200)
        #expect(v4.text == "127.0.0.1", "an IPv4 client is one address, not ::ffff:127.0.0.1")
    }

    /// One client holding connections open takes at most its address's share of the slots: the next from
    /// that address is 503, another address is served (40 slow connections from one client made the screen
    /// answer 503 to everyone).
    @Test func oneAddressCannotTakeEveryConnection() throws {
        var limits = HTTPLimits()
        limits.maxConnectionsPerAddress = 2
        limits.timeoutSeconds = 60
        let server = try HTTPServer(host: "[::]", port: 0, limits: limits) { head in
            HTTPResponseMessage(status: 200, headers: [], body: .bytes(Array(head.peer.utf8)))
        }
        Thread.detachNewThread { server.run() }
        defer { server.stop() }
        let idle = try (0..<2).map { _ in try HTTPTestClient.connected(server.port, host: "127.0.0.1") }
        defer { for fd in idle { close(fd) } }
        var polls = 0
        while server.openConnections < 2 && polls < 600 {
            usleep(10_000)
            polls += 1
        }
        #expect(try HTTPTestClient.get(server.port, "/", host: "127.0.0.1").status == 503)
        #expect(try HTTPTestClient.get(server.port, "/", host: "::1").status == 200)
    }

    @Test func ipv4IsServedAsBefore() throws {
        let server = try peerEcho("127.0.0.1")
        defer { server.stop() }
        #expect(try HTTPTestClient.get(server.port, "/").text == "127.0.0.1")
    }

    @Test func aMalformedAddressIsRefusedWithTheForms() throws {
        let error = #expect(throws: HTTPServerError.self) {
            try HTTPServer(host: "[::zz]", port: 0) { _ in
                HTTPResponseMessage(status: 200, headers: [], body: .bytes([]))
            }
        }
        #expect(error?.message.contains("[::1]") == true)
        let dir = try ServeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try ServeBinary.run(["serve", ".", "--users", "u.txt", "--listen", "::1:8080"], in: dir)
        #expect(r.status != 0)
        #expect(r.stderr.contains("[::1]:8080"))
    }
}
