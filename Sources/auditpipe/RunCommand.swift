import ArgumentParser
import AuditPipe

#if canImport(Glibc)
    import Glibc
#endif

/// `auditpipe run`: runs a pipeline file (inputs, correlation, enrichment, filter, several outputs).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pipeline file: its inputs through correlation and enrichment into all its outputs.",
        discussion: """
            Examples:
              auditpipe run Pipelines/batch-dump.yaml
              LOG_DIR=/var/log/cells auditpipe run Pipelines/pydio-cells.yaml
            An archive output writes events into its live directory by UTC day, then rolls complete days into \
            gzip archives with manifests and prunes past its retain (as `auditpipe archive` does).
            """)

    @Argument(help: "The pipeline file (YAML).")
    var file: String

    @Flag(name: .shortAndLong, help: "No summary line on stderr (e.g. -q).")
    var quiet = false

    @Option(
        help:
            "Take this time (RFC 3339) as now for archive outputs' older_than and retain, replaying a missed night (e.g. --now 2026-11-22T00:30:00Z)."
    )
    var now: String?

    func validate() throws {
        if let now, TimeBound.parse(now, now: 0) == nil || DurationText.parse(now) != nil {
            throw ValidationError("--now takes an RFC 3339 time like 2026-11-22T00:30:00Z; got '\(now)'")
        }
    }

    func run() async throws {
        var spec = try PipelineFile.loadOrExit(file)
        // Standard input is a live stream: flush per batch, let a quiet stream advance the watermark.
        if spec.inputs.contains(where: { $0.paths.contains("-") }) { spec.options.live = true }
        let outputs = spec.outputs
        let followed = spec.inputs.first(where: \.follow)
        let pipeline = Pipeline(
            inputs: spec.inputs.flatMap(\.paths), options: spec.options, outputs: outputs,
            follow: followed.map { FollowSettings(checkpointDirectory: $0.checkpoint) })
        try await PipelineRunner(pipeline: pipeline, quiet: quiet).run()
        for o in outputs where o.kind == .archive {
            try archive(o)
        }
    }

    /// Rolls the live directory of an archive output into its archive, with its retention.
    private func archive(_ o: PipelineSpec.Output) throws {
        guard let dir = o.archiveDirectory else { return }
        let clock = now.flatMap { TimeBound.parse($0, now: 0) } ?? Int64(time(nil)) * UTCTime.second
        var options = ArchiveRun.Options(liveDirectory: o.path, archiveDirectory: dir, now: clock)
        options.olderThan = o.olderThan
        options.retainArchive = o.retain
        do {
            let report = try ArchiveRun(options: options).run()
            if !quiet {
                FileHandleStderr.write(
                    "auditpipe: archive \(dir): \(report.daysArchived.count) days, \(report.eventsArchived) events, \(report.daysPruned.count) days pruned\n"
                )
            }
        } catch {
            FileHandleStderr.write("auditpipe: archive failed: \(error)\n")
            throw ExitCode(error.exitCode)
        }
    }
}
