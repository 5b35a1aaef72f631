/// A failure writing an output (exit code 3).
public struct OutputError: Error, Sendable, CustomStringConvertible {
    /// The output's path (or `-`).
    public var path: String
    /// What went wrong.
    public var message: String
    /// True when the reader of a pipe went away (EPIPE): a quiet end, not a failure to report.
    public var isBrokenPipe: Bool = false

    /// Creates an error for an output.
    public init(path: String, message: String, isBrokenPipe: Bool = false) {
        self.path = path
        self.message = message
        self.isBrokenPipe = isBrokenPipe
    }

    public var description: String { "\(path): \(message)" }
}
