/// What the server accepts from a client before it gives up on it.
public struct HTTPLimits: Sendable {
    /// Most bytes of request line and headers together (431 past it).
    public var maxHeadBytes = 16 << 10
    /// Most header lines (431 past it).
    public var maxHeaders = 64
    /// Most seconds for a client to send its whole request head (408 past it), and for each write of the answer.
    public var timeoutSeconds = 10
    /// Most connections served at once (503 past it).
    public var maxConnections = 32

    /// The defaults.
    public init() {}
}
