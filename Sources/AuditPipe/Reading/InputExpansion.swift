/// What expanding a run's input arguments found (`InputSpec.expand`): the inputs to read, and what to report.
public struct InputExpansion: Sendable {
    /// The inputs, in the order the arguments give them (a directory's and a pattern's files sorted).
    public var inputs: [InputSpec] = []
    /// Arguments that match nothing or cannot be read; the others are still read.
    public var errors: [InputError] = []
    /// Files reached twice, empty files and directories, and the run's own outputs left out.
    public var warnings: [String] = []
    /// Of `warnings`, those of the run's own outputs left out (a followed run, which expands its patterns at
    /// each look, says them once).
    public var leftOut: [String] = []
    /// Files a directory or pattern reached that are an output under another name (a hard link), each with the
    /// output as it was named: a log of the user's that the output would empty or grow, refused by a run.
    public var outputsUnderAnotherName: [(path: String, output: String)] = []

    /// Nothing found yet.
    public init() {}
}
