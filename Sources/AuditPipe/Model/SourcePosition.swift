/// Where a line came from: the input's index and display name, 1-based line number, byte offset.
public struct SourcePosition: Sendable, Equatable {
    /// Index of the input in the run's input list.
    public var input: Int32
    /// 1-based line number within the (decompressed) input.
    public var line: Int64
    /// Byte offset of the line's first byte within the (decompressed) input.
    public var offset: Int64

    /// Creates a position.
    public init(input: Int32, line: Int64, offset: Int64) {
        self.input = input
        self.line = line
        self.offset = offset
    }
}
