import AuditPipe
import AuditPipeHTTP

/// The screen on the network: the HTTP server handing each request to a `ScreenRouter` (the one adapter
/// between the HTTP layer and the framework-free router), each under a deadline of
/// `limits.requestTimeoutSeconds` for its catalog work.
public final class ScreenServer: Sendable {
    private let server: HTTPServer

    /// Listens on `host:port` (port 0: any free port; `host` IPv4, or IPv6 as `[::1]`) and answers with `router`,
    /// over TLS when `tls` is given.
    public init(
        router: ScreenRouter, host: String, port: UInt16, limits: HTTPLimits = HTTPLimits(), tls: TLSContext? = nil
    ) throws(HTTPServerError) {
        let seconds = limits.requestTimeoutSeconds
        server = try HTTPServer(host: host, port: port, limits: limits, tls: tls) { head in
            let response = CatalogDeadline.$current.withValue(CatalogDeadline(seconds: seconds)) {
                router.respond(
                    ScreenRequest(method: head.method, target: head.target, headers: head.headers, peer: head.peer))
            }
            let body: HTTPResponseMessage.Body =
                switch response.body {
                case .bytes(let b): .bytes(b)
                case .temporaryFile(let path): .file(path: path, remove: true)
                }
            return HTTPResponseMessage(status: response.status, headers: response.headers, body: body)
        }
    }

    /// The port listened on.
    public var port: UInt16 { server.port }

    /// Serves until `stop()`.
    public func run() { server.run() }

    /// Stops accepting connections.
    public func stop() { server.stop() }
}
