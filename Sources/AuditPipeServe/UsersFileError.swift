/// A users file that cannot be read, parsed or written, or a change to it that is refused.
public struct UsersFileError: Error, Sendable, CustomStringConvertible {
    /// What went wrong and what to do, naming the file (and line).
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
