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
            An archive output writes events into its live directory by UTC day, then rolls complete days into
            gzip archives with manifests and prunes past its retain (as `auditpipe archive` does).
            """)

    @Argument(help: "The pipeline file (YAML).")
    var file: String

    @Flag(name: .shortAndLong, help: "No summary line on stderr.")
    var quiet = false

    @Option(
        help:
            "Take this time (RFC 3339) as now for archive outputs' older_than and retain (replaying a missed night).")
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
        let plan = OutputPlan(
            openSink: { () throws(OutputError) -> any EventSink in try Self.openRoutes(outputs) },
            eventsPath: outputs.first { $0.kind == .jsonl }?.path ?? "-",
            deadLetter: outputs.first { $0.kind == .deadLetter }?.path,
            stats: outputs.first { $0.kind == .stats }?.path,
            quiet: quiet)
        let followed = spec.inputs.first(where: \.follow)
        var runner = PipelineRunner(
            inputs: spec.inputs.flatMap(\.paths), options: spec.options, output: plan, records: false)
        if let followed { runner.follow = PipelineRunner.FollowMode(checkpointDirectory: followed.checkpoint) }
        try await runner.run()
        for o in outputs where o.kind == .archive {
            try archive(o)
        }
    }

    /// One sink per event output, each with its `where:`.
    static func openRoutes(_ outputs: [PipelineSpec.Output]) throws(OutputError) -> any EventSink {
        var routes: [RoutedSink.Route] = []
        for o in outputs where o.path != "-" && o.template == nil {
            OutputFile.makeParentDirectories(of: o.path)
        }
        for o in outputs {
            switch o.kind {
            case .jsonl:
                let sink: any EventSink =
                    if let template = o.template { TemplatedJSONLSink(template: template) } else {
                        try JSONLSink(path: o.path)
                    }
                routes.append(.init(sink: sink, filter: o.whereFilter))
            case .uncorrelated:
                routes.append(.init(sink: try JSONLSink(path: o.path), filter: o.whereFilter, uncorrelatedOnly: true))
            case .csv:
                let sink = try CSVSink(path: o.path, columns: o.columns ?? CSVSink.defaultColumns, bom: o.bom)
                routes.append(.init(sink: sink, filter: o.whereFilter))
            case .archive: routes.append(.init(sink: DailyJSONLSink(directory: o.path), filter: o.whereFilter))
            case .deadLetter, .stats: break
            }
        }
        return RoutedSink(routes)
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
