import AuditPipeHTTP
import AuditPipeServe
import Foundation
import Testing

/// `serve --tls-cert --tls-key`: the screen over HTTPS through the system's OpenSSL, with a self-signed
/// certificate made by the `openssl` command and `curl` / Python's ssl as clients.
@Suite(.serialized, .enabled(if: TLSTools.present, "needs the openssl command, curl and python3"))
struct TLSTests {
    /// A self-signed certificate and its key for `localhost`, made by `openssl req` in `dir`.
    static func certificate(in dir: URL, name: String = "server") throws -> (cert: String, key: String) {
        let cert = dir.appendingPathComponent("\(name)-cert.pem").path
        let key = dir.appendingPathComponent("\(name)-key.pem").path
        let made = try TLSTools.run(
            "/usr/bin/env",
            [
                "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
            ])
        guard made.status == 0 else { throw ScreenFixture.FixtureError(message: "openssl req failed") }
        return (cert, key)
    }

    static func curl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try TLSTools.run("/usr/bin/env", ["curl", "-s", "-k", "--max-time", "30"] + arguments)
    }

    @Test func theScreenIsServedOverHTTPSAndPlainHTTPGetsNoAnswer() throws {
        let f = try ScreenFixture.get()
        let dir = try ServeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (cert, key) = try Self.certificate(in: dir)
        let router = ScreenRouter(
            catalog: ScreenCatalogs.open([f.archive]), authenticator: try Authenticator(usersFile: f.usersFile),
            auditLog: nil)
        let server = try ScreenServer(
            router: router, host: "127.0.0.1", port: 0, tls: try TLSContext(certificate: cert, key: key))
        Thread.detachNewThread { server.run() }
        defer { server.stop() }
        let (user, password) = ScreenFixture.auditor
        let me = try Self.curl(["--tlsv1.2", "-u", "\(user):\(password)", "https://127.0.0.1:\(server.port)/api/me"])
        #expect(me.status == 0)
        #expect(me.output == #"{"user":"alice","role":"auditor"}"#)
        let anonymous = try Self.curl(["-o", "/dev/null", "-w", "%{http_code}", "https://127.0.0.1:\(server.port)/"])
        #expect(anonymous.output == "401")
        // Plain HTTP to the TLS port gets no HTTP answer, and the server goes on.
        #expect(throws: HTTPTestClient.ClientError.self) { try HTTPTestClient.get(server.port, "/healthz") }
        #expect(try Self.curl(["https://127.0.0.1:\(server.port)/healthz"]).output == "ok\n")
    }

    @Test func aClientLeavingInTheMiddleOfAnAnswerDoesNotStopTheServer() throws {
        let dir = try ServeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (cert, key) = try Self.certificate(in: dir)
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 32 << 20)
        let server = try HTTPServer(
            host: "127.0.0.1", port: 0, tls: try TLSContext(certificate: cert, key: key)
        ) { head in
            HTTPResponseMessage(
                status: 200, headers: [], body: .bytes(head.target == "/big" ? body : Array("small".utf8)))
        }
        Thread.detachNewThread { server.run() }
        defer { server.stop() }
        let script = """
            import socket, ssl, sys
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))))
            s.sendall(b"GET /big HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
            s.recv(1000)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00")
            s.close()
            print("left")
            """
        #expect(try TLSTools.run("/usr/bin/env", ["python3", "-c", script, "\(server.port)"]).output == "left\n")
        var polls = 0
        while server.openConnections > 0 && polls < 300 {
            usleep(100_000)
            polls += 1
        }
        #expect(server.openConnections == 0)
        #expect(try Self.curl(["https://127.0.0.1:\(server.port)/small"]).output == "small")
    }

    @Test func aKeyThatIsNotTheCertificatesIsRefusedNamingBoth() throws {
        let dir = try ServeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let one = try Self.certificate(in: dir, name: "one")
        let two = try Self.certificate(in: dir, name: "two")
        let error = #expect(throws: HTTPServerError.self) { try TLSContext(certificate: one.cert, key: two.key) }
        #expect(error?.message.contains("is not the key of the certificate") == true)
        let missing = #expect(throws: HTTPServerError.self) {
            try TLSContext(certificate: dir.appendingPathComponent("none.pem").path, key: one.key)
        }
        #expect(missing?.message.contains("--tls-cert") == true)
        let r = try ServeBinary.run(["serve", ".", "--users", "u.txt", "--tls-cert", one.cert], in: dir)
        #expect(r.status != 0)
        #expect(r.stderr.contains("--tls-cert and --tls-key go together"))
    }
}
