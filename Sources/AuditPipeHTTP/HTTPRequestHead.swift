/// A request as the server read it: the request line and the headers (a GET-only server reads no body).
public struct HTTPRequestHead: Sendable {
    /// The method, as sent (`GET`).
    public var method: String
    /// The request target, as sent (`/api/events?q=…`).
    public var target: String
    /// The headers in the order sent, names as sent.
    public var headers: [(name: String, value: String)]
    /// The client's address (`127.0.0.1`).
    public var peer: String

    /// Creates a request head.
    public init(method: String, target: String, headers: [(name: String, value: String)], peer: String) {
        self.method = method
        self.target = target
        self.headers = headers
        self.peer = peer
    }

    /// The first header of this name (ASCII case-insensitive), or nil.
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }
}
