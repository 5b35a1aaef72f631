/// One problem in a pipeline file, at its YAML line and column (1-based).
public struct PipelineDiagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String

    /// Creates a diagnostic.
    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// `LINE:COLUMN: message`.
    public var description: String { "\(line):\(column): \(message)" }
}

/// Every problem found in a pipeline file (a file with any is not run).
public struct PipelineErrors: Error, Sendable {
    public var diagnostics: [PipelineDiagnostic]

    /// Creates the error from its diagnostics.
    public init(diagnostics: [PipelineDiagnostic]) { self.diagnostics = diagnostics }

    /// `FILE:LINE:COLUMN: error: message`, one a line.
    public func rendered(file: String) -> String {
        diagnostics.map { "\(file):\($0.line):\($0.column): error: \($0.message)" }.joined(separator: "\n")
    }
}
