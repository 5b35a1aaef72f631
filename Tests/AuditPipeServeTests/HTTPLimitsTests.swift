import Foundation
import Testing

/// The server refuses what a GET-only screen never needs: oversized heads, too many headers, bodies, other
/// methods.
@Suite(.serialized)
struct HTTPLimitsTests {
    let f: ScreenFixture
    init() throws { f = try ScreenFixture.get() }

    @Test func anOversizedHeadIs431() throws {
        let head = "GET /healthz HTTP/1.1\r\nX-Big: \(String(repeating: "a", count: 40_000))\r\n\r\n"
        #expect(try HTTPTestClient.send(f.port, Array(head.utf8)).status == 431)
    }

    @Test func tooManyHeadersIs431() throws {
        var head = "GET /healthz HTTP/1.1\r\n"
        for i in 0..<100 { head += "X-H\(i): v\r\n" }
        #expect(try HTTPTestClient.send(f.port, Array((head + "\r\n").utf8)).status == 431)
    }

    @Test func aBodyIs413AndOtherMethodsAre405() throws {
        let post = "POST /api/events HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
        #expect(try HTTPTestClient.send(f.port, Array(post.utf8)).status == 413)
        let delete = "DELETE /api/events HTTP/1.1\r\n\r\n"
        #expect(try HTTPTestClient.send(f.port, Array(delete.utf8)).status == 405)
        #expect(try HTTPTestClient.send(f.port, Array("garbage\r\n\r\n".utf8)).status == 400)
    }
}
