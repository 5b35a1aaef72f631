/// Why the index could not be brought up to date; either way the index is left as it was.
public enum IndexUpdateError: Error, Sendable, CustomStringConvertible {
    /// The index could not be read or written (exit 3).
    case output(OutputError)
    /// A day to index fails verification, as `verify` would report it: its files are damaged or are not what
    /// its manifest states, or a line is not an event of that day (exit 4).
    case damaged(ArchiveVerifier.Failure)

    /// The exit code the CLI ends with: 3 output failure, 4 a day that fails verification.
    public var exitCode: Int32 {
        switch self {
        case .output: 3
        case .damaged: 4
        }
    }

    public var description: String {
        switch self {
        case .output(let e): e.description
        case .damaged(let f): "\(f.path): \(f.reason) (run auditpipe verify)"
        }
    }

    /// Runs `body`, its output failure as an update failure.
    static func writing<T>(_ body: () throws(OutputError) -> T) throws(IndexUpdateError) -> T {
        do throws(OutputError) {
            return try body()
        } catch {
            throw .output(error)
        }
    }
}
