/// The server could not start listening.
public struct HTTPServerError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, with the address.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
