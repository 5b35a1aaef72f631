import AuditPipe

/// The screen's answer, free of any HTTP framework: status, headers and a body of bytes or of a file.
public struct ScreenResponse: Sendable {
    /// Where the body comes from.
    public enum Body: Sendable {
        /// These bytes.
        case bytes([UInt8])
        /// A temporary file's content, removed once sent (an export: memory stays bounded).
        case temporaryFile(String)
    }

    /// The status code.
    public var status: Int
    /// The headers.
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: Body

    /// Creates a response.
    public init(status: Int, headers: [(name: String, value: String)] = [], body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The value of the first header of this name (ASCII case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body's bytes (a file's content read back).
    public var bytes: [UInt8] {
        switch body {
        case .bytes(let b): return b
        case .temporaryFile(let path): return FileBytes.read(path) ?? []
        }
    }

    /// A JSON answer.
    static func json(_ status: Int, _ bytes: [UInt8]) -> ScreenResponse {
        ScreenResponse(status: status, headers: [("Content-Type", "application/json")], body: .bytes(bytes))
    }

    /// A JSON error answer: `{"error": "..."}`.
    static func error(_ status: Int, _ message: String) -> ScreenResponse {
        var w = JSONWriter(capacity: 128)
        w.raw("{")
        w.key("error")
        w.string(message)
        w.raw("}")
        return json(status, w.bytes)
    }
}
