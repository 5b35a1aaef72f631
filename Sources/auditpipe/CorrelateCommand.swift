import ArgumentParser
import AuditPipe

#if canImport(Glibc)
    import Glibc
#endif

/// `auditpipe correlate`: batch correlation of log dumps into audit events.
struct CorrelateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "correlate",
        abstract: "Group log lines from files, directories, globs or stdin into audit events.",
        discussion: """
            Examples:
              auditpipe correlate dump/*.log.gz > events.jsonl
              auditpipe correlate Fixtures/split-across-files --stats stats.json
              auditpipe correlate dump/ --since 7d \\
                  --where 'action == "export" and status == 2xx'
              auditpipe demo --requests 1000 | auditpipe correlate - --output-format csv \\
                  --columns start,actor.user,action,entity.id
            """)

    @Argument(help: "Files, directories (read recursively, sorted), glob patterns, or - for stdin. gzip is detected.")
    var inputs: [String] = ["-"]

    @Option(
        name: .customLong("where"), help: "Write only events matching this filter expression (see `filter --help`).")
    var whereExpression: String?

    @Flag(
        help:
            "Follow the inputs as they grow (tail -F): rotation by rename or copy-truncate, new files matching a glob; runs until SIGINT/SIGTERM (e.g. --follow '/var/log/app/*.log' -o events.jsonl)."
    )
    var follow = false

    @Option(
        help:
            "With --follow: keep each file's identity and committed offset in this directory; a restart after a crash resumes there without losing or repeating an event (needs -o FILE, JSONL; e.g. --checkpoint /var/lib/auditpipe/ckpt)."
    )
    var checkpoint: String?

    @Flag(
        inversion: .prefixedNo,
        help:
            "Draw a progress line on stderr (default: when stderr is a terminal, stdout is not, and the run does not follow); once a second when stderr is not a terminal (e.g. --no-progress)."
    )
    var progress: Bool?

    @OptionGroup var range: TimeRangeFlags
    @OptionGroup var pipeline: PipelineFlags
    @OptionGroup var output: OutputFlags

    func validate() throws {
        try output.checkEventColumns()
        if checkpoint != nil {
            guard follow else { throw ValidationError("--checkpoint needs --follow") }
            guard output.output != "-", output.outputFormat == .jsonl else {
                throw ValidationError("--checkpoint needs a JSONL output file (-o FILE)")
            }
        }
        if follow && inputs.contains("-") { throw ValidationError("--follow follows files, not stdin (use filter)") }
        try pipeline.checkInputs(inputs)
    }

    /// True when the events go to a terminal too (a progress line there would run into them).
    static func writesToTerminal(_ output: OutputFlags) -> Bool {
        output.outputDirectory == nil && output.output == "-" && isatty(1) == 1
    }

    func run() async throws {
        var options = pipeline.options
        // A file that is not text is refused, unless a dead-letter limit says its lines may be read anyway.
        options.parse.refuseBinary = output.maxDeadLetters == nil
        options.filter = range.narrow(try whereExpression.map { try parseFilter($0, records: false) }, records: false)
        let pipeline = Pipeline(
            inputs: inputs, options: options, outputs: output.outputs,
            follow: follow ? FollowSettings(checkpointDirectory: checkpoint) : nil)
        let runner = PipelineRunner(
            pipeline: pipeline, quiet: output.quiet, maxDeadLetters: output.maxDeadLetters,
            progress: progress ?? (!follow && !output.quiet && isatty(2) == 1 && !Self.writesToTerminal(output)))
        try await runner.run()
    }
}
