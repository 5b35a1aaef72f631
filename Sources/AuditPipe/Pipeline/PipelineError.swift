/// Why a pipeline run failed as a whole (a bad input line or an unreadable input never fails a run: those are
/// dead letters and input errors in its stats).
public enum PipelineError: Error, Sendable, CustomStringConvertible {
    /// The outputs, as given, cannot work together (e.g. a checkpoint with no single JSONL events file).
    case invalid(String)
    /// An output or the checkpoint could not be opened or prepared.
    case cannotOpen(OutputError)
    /// Writing an output failed during the run; the stats say how far it got (nil: it failed as it ended).
    case outputFailed(OutputError, RunStats?)
    /// Another run holds the checkpoint directory (exit 5, as for a locked archive).
    case locked(String)

    public var description: String {
        switch self {
        case .invalid(let m): m
        case .cannotOpen(let e): "cannot open output \(e)"
        case .outputFailed(let e, _): "output failed: \(e)"
        case .locked(let m): m
        }
    }

    /// True when the output failed because its reader went away (`| head`): the run ends quietly.
    public var isBrokenPipe: Bool {
        if case .outputFailed(let e, _) = self { return e.isBrokenPipe }
        return false
    }
}
