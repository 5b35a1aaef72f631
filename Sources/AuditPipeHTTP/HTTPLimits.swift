/// What the server accepts from a client before it gives up on it.
public struct HTTPLimits: Sendable {
    /// Most bytes of request line and headers together (431 past it).
    public var maxHeadBytes = 16 << 10
    /// Most header lines (431 past it).
    public var maxHeaders = 64
    /// Most seconds for a client to send its whole request head (408 past it).
    public var timeoutSeconds = 10
    /// Most seconds one write of the answer may wait for the client to read (a client that stops reading is
    /// dropped past it, freeing its worker).
    public var writeTimeoutSeconds = 10
    /// Most seconds of work on one request before the handler stops it (the screen answers 503): the handler
    /// enforces it (`ScreenServer` binds it as the catalog deadline around each request).
    public var requestTimeoutSeconds: Double = 60
    /// Most connections served at once (503 past it).
    public var maxConnections = 32
    /// Most connections served at once for one client address (503 past it), so one client holding
    /// connections open cannot take every slot.
    public var maxConnectionsPerAddress = 8

    /// The defaults.
    public init() {}
}
