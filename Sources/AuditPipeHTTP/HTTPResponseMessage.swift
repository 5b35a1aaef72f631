/// A response for the server to write: status, headers and a body of bytes or of a file's content.
public struct HTTPResponseMessage: Sendable {
    /// Where the body comes from.
    public enum Body: Sendable {
        /// These bytes.
        case bytes([UInt8])
        /// The content of this file, streamed; the file is removed once sent when `remove` is true.
        case file(path: String, remove: Bool)
    }

    /// The status code.
    public var status: Int
    /// Headers besides `Content-Length` and `Connection`, which the server writes.
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: Body

    /// Creates a response.
    public init(status: Int, headers: [(name: String, value: String)], body: Body) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
