import ArgumentParser
import AuditPipe
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a pipeline for a command and does what only a command does: stops cleanly on SIGINT/SIGTERM (open
/// groups are closed and written, the summary printed, exit 130/143; a second signal exits at once), draws
/// the progress line, prints the summary and maps the outcome to DESIGN.md's exit codes. A closed stdout
/// (`| head`) ends the run quietly with 0.
struct PipelineRunner {
    let pipeline: Pipeline
    /// No summary line.
    var quiet = false
    /// Exit 2 when more lines than this were dead-lettered.
    var maxDeadLetters: Int?
    /// Echo the first dead letters to stderr when no dead-letter file is given (batch runs without `-q`; a
    /// live filter keeps stderr quiet and counts them in the summary).
    var echoDeadLetters = true
    /// Draw a progress line on stderr while the run goes.
    var progress = false

    /// The run's accounting line.
    private func summaryLine(_ stats: RunStats) -> String {
        var line = stats.summary
        let options = pipeline.options
        if options.recordFilter != nil {
            line += "; \(stats.written) records matched"
        } else if options.filter != nil {
            line += "; \(stats.written) matched the filter"
        }
        if !pipeline.outputs.contains(where: { $0.kind == .deadLetter }) && stats.lines.deadLettered > 0 {
            line += " (use --dead-letter FILE to keep rejected lines)"
        }
        return line
    }

    func run() async throws {
        let control = RunControl()
        let signals = SignalWatch(control: control)
        var echo: (@Sendable (String) -> Void)?
        if echoDeadLetters && !quiet { echo = { text in FileHandleStderr.write("auditpipe: dead letter: \(text)\n") } }
        let drawer = progress ? ProgressDrawer(pipeline.progress) : nil
        let stats: RunStats
        do {
            stats = try await pipeline.run(control: control, echo: echo)
            drawer?.stop()
        } catch {
            drawer?.stop()
            switch error {
            case _ where error.isBrokenPipe: throw ExitCode.success
            case .invalid(let message):
                FileHandleStderr.write("auditpipe: \(message)\n")
                throw ExitCode(1)
            case .locked(let message):
                FileHandleStderr.write("auditpipe: locked: \(message)\n")
                throw ExitCode(5)
            case .outputFailed(_, let stats?):
                // How far the run got before its output failed: the accounting line, as every run prints it.
                FileHandleStderr.write("auditpipe: \(error)\n")
                if !quiet { FileHandleStderr.write(summaryLine(stats) + "\n") }
                throw ExitCode(3)
            default:
                FileHandleStderr.write("auditpipe: \(error)\n")
                throw ExitCode(3)
            }
        }
        for w in stats.warnings { FileHandleStderr.write("auditpipe: warning: \(w)\n") }
        for e in stats.inputErrors { FileHandleStderr.write("auditpipe: input error: \(e)\n") }
        if !quiet { FileHandleStderr.write(summaryLine(stats) + "\n") }
        if let signal = signals.received { throw ExitCode(128 + signal) }
        if !stats.inputErrors.isEmpty { throw ExitCode(2) }
        if let limit = maxDeadLetters, stats.lines.deadLettered > Int64(limit) {
            FileHandleStderr.write(
                "auditpipe: \(stats.lines.deadLettered) lines dead-lettered, over --max-dead-letters \(limit)\n")
            throw ExitCode(2)
        }
    }
}
