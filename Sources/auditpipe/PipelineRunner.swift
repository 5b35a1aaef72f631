import ArgumentParser
import AuditPipe
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Where a run's events, rejected lines and counts go: from `OutputFlags`, or a pipeline file's `outputs:`.
struct OutputPlan {
    /// Opens the event sink.
    var openSink: () throws(OutputError) -> any EventSink
    /// The JSONL events file a followed run appends to (and resumes from with a checkpoint).
    var eventsPath: String
    var deadLetter: String?
    var stats: String?
    var quiet = false
    var maxDeadLetters: Int?
}

/// Runs a pipeline for a command: opens outputs, stops cleanly on SIGINT/SIGTERM (open groups are closed
/// and written, the summary printed, exit 130/143; a second signal exits at once), prints the summary and
/// maps the outcome to DESIGN.md's exit codes. A closed stdout (`| head`) ends the run quietly with 0.
struct PipelineRunner {
    let inputs: [String]
    let options: PipelineOptions
    let output: OutputPlan
    /// True when the run writes raw records (`filter --records`).
    let records: Bool
    /// Echo the first dead letters to stderr when no dead-letter file is given (batch runs; a live filter
    /// keeps stderr quiet and counts them in the summary).
    var echoDeadLetters = true

    /// Set for `correlate --follow`: the checkpoint directory, if any.
    var follow: FollowMode?

    /// How a followed run keeps its place.
    struct FollowMode {
        var checkpointDirectory: String?
    }

    func run() async throws {
        let (specs, expandErrors) = follow == nil ? InputSpec.expand(inputs) : ([], [])
        let followPipeline = follow.map {
            FollowPipeline(patterns: inputs, options: options, checkpointDirectory: $0.checkpointDirectory)
        }
        let names = followPipeline?.names ?? InputNames(specs.map(\.path))
        let sink: any EventSink
        let deadLetterWriter: DeadLetterWriter?
        var checkpoint = Checkpoint()
        let resuming = follow?.checkpointDirectory != nil
        do {
            if let dir = follow?.checkpointDirectory {
                mkdir(dir, 0o755)
                checkpoint = try Checkpoint.load(from: dir)
                if !checkpoint.exists {
                    // A new checkpoint: what the outputs hold already stays.
                    checkpoint.outputBytes = ResumedOutput.length(of: output.eventsPath)
                    checkpoint.deadLetterBytes = output.deadLetter.map(ResumedOutput.length(of:)) ?? 0
                }
                // What was written after the last commit is written again from the saved state.
                try ResumedOutput.cut(path: output.eventsPath, to: checkpoint.outputBytes)
                if let d = output.deadLetter { try ResumedOutput.cut(path: d, to: checkpoint.deadLetterBytes) }
                sink = try JSONLSink(path: output.eventsPath, append: true)
            } else {
                sink = try output.openSink()
            }
            deadLetterWriter = try output.deadLetter.map {
                try DeadLetterWriter(path: $0, inputNames: names, redactor: options.redactor, append: resuming)
            }
        } catch {
            FileHandleStderr.write("auditpipe: cannot open output \(error)\n")
            throw ExitCode(3)
        }

        let control = RunControl()
        let signals = SignalWatch(control: control)
        let shown = ShownDeadLetters()
        let echo = echoDeadLetters
        let onDeadLetter: @Sendable (DeadLetter) throws(OutputError) -> Void = { d throws(OutputError) in
            if let w = deadLetterWriter {
                try w.write(d)
            } else if echo, shown.take() {
                FileHandleStderr.write(
                    "auditpipe: dead letter: \(DeadLetterWriter.describe(d, inputName: names.name(of: d.position.input)))\n"
                )
            }
        }
        var stats: RunStats
        do {
            if let followPipeline {
                let box = UncheckedSink(sink)
                let deadLetters = deadLetterWriter
                let durability = FollowPipeline.Durability(
                    syncEvents: { () throws(OutputError) -> Int64 in try box.sync() },
                    syncDeadLetters: { () throws(OutputError) -> Int64 in try deadLetters?.sync() ?? 0 })
                stats = try await followPipeline.run(
                    sink: sink, checkpoint: checkpoint, durability: durability, control: control,
                    deadLetter: onDeadLetter)
            } else {
                stats = try await CorrelatePipeline(inputs: specs, options: options).run(
                    sink: sink, control: control, deadLetter: onDeadLetter)
            }
            try deadLetterWriter?.close()
        } catch {
            if error.isBrokenPipe { throw ExitCode.success }
            FileHandleStderr.write("auditpipe: output failed: \(error)\n")
            throw ExitCode(3)
        }
        stats.inputErrors = expandErrors + stats.inputErrors
        if let path = output.stats {
            do {
                let f = try OutputFile(path: path)
                try f.write(Array(stats.json.utf8))
                try f.close()
            } catch {
                FileHandleStderr.write("auditpipe: cannot write stats: \(error)\n")
                throw ExitCode(3)
            }
        }
        for e in stats.inputErrors { FileHandleStderr.write("auditpipe: input error: \(e)\n") }
        if !output.quiet {
            var line = stats.summary
            if records {
                line += "; \(stats.written) records matched"
            } else if options.filter != nil {
                line += "; \(stats.written) matched the filter"
            }
            if deadLetterWriter == nil && stats.lines.deadLettered > 0 {
                line += " (use --dead-letter FILE to keep rejected lines)"
            }
            FileHandleStderr.write(line + "\n")
        }
        if let signal = signals.received { throw ExitCode(128 + signal) }
        if !stats.inputErrors.isEmpty { throw ExitCode(2) }
        if let limit = output.maxDeadLetters, stats.lines.deadLettered > Int64(limit) {
            FileHandleStderr.write(
                "auditpipe: \(stats.lines.deadLettered) lines dead-lettered, over --max-dead-letters \(limit)\n")
            throw ExitCode(2)
        }
    }
}

/// Turns SIGINT and SIGTERM into a stop request; remembers the first signal; a second one exits at once.
final class SignalWatch {
    /// The first signal, shared with the handlers.
    private final class First: Sendable {
        let signal = Mutex<Int32?>(nil)
    }

    private let first = First()
    private var sources: [any DispatchSourceSignal] = []

    init(control: RunControl) {
        let first = self.first
        // A parent may have left these blocked (some launchers do in their threads): unblock them, or the
        // signal would never reach the handler below.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                let again = first.signal.withLock { f -> Bool in
                    if f != nil { return true }
                    f = sig
                    return false
                }
                if again { _exit(128 + sig) }
                control.requestStop()
            }
            source.resume()
            sources.append(source)
        }
    }

    /// The first signal received, if any.
    var received: Int32? { first.signal.withLock { $0 } }
}

/// The follow run's JSONL sink, for the fsync before each checkpoint (used only by the sink stage).
struct UncheckedSink: @unchecked Sendable {
    let sink: any EventSink
    init(_ sink: any EventSink) { self.sink = sink }

    func sync() throws(OutputError) -> Int64 { try (sink as? JSONLSink)?.sync() ?? 0 }
}

/// Counts dead letters echoed to stderr when no dead-letter file is given (the first 10 are shown).
final class ShownDeadLetters: Sendable {
    private let shown = Mutex(0)
    func take() -> Bool {
        shown.withLock { n in
            n += 1
            return n <= 10
        }
    }
}
