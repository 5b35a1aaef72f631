/// A failure reading an input, with what a user needs to act on it.
public struct InputError: Error, Sendable, CustomStringConvertible {
    /// The input's display name (path or `-`).
    public var source: String
    /// What went wrong.
    public var message: String

    /// Creates an input error.
    public init(source: String, message: String) {
        self.source = source
        self.message = message
    }

    public var description: String { "\(source): \(message)" }
}
