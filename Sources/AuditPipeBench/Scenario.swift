import AuditPipe

#if canImport(Glibc)
    import Glibc
#endif

/// One measured run, executed in a child process so its peak RSS is its own.
enum Scenario: String, CaseIterable {
    case correlateDiscard = "correlate-discard"
    case correlateJSONL = "correlate-jsonl"
    case filterRecords = "filter-records"
    case openGroups = "open-groups"
    case archive
    case archiveIndexed = "archive-indexed"
    case empty

    /// Runs the scenario on `path`; prints `seconds records events` on stdout.
    func run(path: String, output: String) async throws {
        let start = monotonicSeconds()
        var records: Int64 = 0
        var events: Int64 = 0
        switch self {
        case .archive, .archiveIndexed:
            // `path` is a live directory holding one day's events; `output` the archive directory. `archive`
            // is the archive alone (merge, gzip, verify), `archive-indexed` the command's run with its index.
            var options = ArchiveRun.Options(liveDirectory: path, archiveDirectory: output, now: Int64.max / 2)
            options.olderThan = 0
            options.updateIndex = self == .archiveIndexed
            let report = try ArchiveRun(options: options).run()
            records = Int64(report.uncompressedBytes)
            events = Int64(report.eventsArchived)
        case .correlateDiscard, .correlateJSONL, .filterRecords, .openGroups, .empty:
            var options = PipelineOptions()
            if self == .openGroups {
                options.correlation.idle = 3600 * UTCTime.second
                options.correlation.maxOpenGroups = 2_000_000
            }
            if self == .filterRecords {
                // `auditpipe filter --records 'user == "alice"'`: what `jq 'select(.user == "alice")'` does.
                options.parse.includeRecords = true
                options.recordFilter = try FilterParser.parse(#"user == "alice""#, for: .records)
            }
            let sink = try JSONLSink(path: self == .correlateJSONL || self == .filterRecords ? output : "/dev/null")
            let pipeline = Pipeline(inputs: [path], options: options)
            let stats = try await pipeline.run(sink: sink) { _ in }
            records = stats.lines.records
            events = self == .filterRecords ? stats.written : stats.events
            print("\(monotonicSeconds() - start) \(records) \(events)")
            print(Self.waitLines(pipeline.waits), terminator: "")
            return
        }
        print("\(monotonicSeconds() - start) \(records) \(events)")
    }

    /// One line per channel between stages: how often and how long its senders waited on the stage after it
    /// (full) and its receivers on the stage before it (empty).
    static func waitLines(_ waits: PipelineWaits) -> String {
        let snapshot = waits.snapshot
        var out = ""
        for edge in PipelineWaits.Edge.allCases {
            let w = snapshot[edge] ?? PipelineWaits.Waits()
            let name = edge.name + String(repeating: " ", count: max(0, 20 - edge.name.count))
            out += "    waits \(name) full \(w.fullWaits)× \(String(format2: w.fullSeconds)) s,"
            out += " empty \(w.emptyWaits)× \(String(format2: w.emptySeconds)) s\n"
        }
        return out
    }

    /// Runs the pipeline cut after `stage` (one parser task); prints `cpu-seconds records events`: CPU time,
    /// as the stages run on both cores, so each row minus the row above is what that stage costs.
    static func runStages(_ stage: BenchStage, path: String) async throws {
        var options = PipelineOptions()
        options.parseWorkers = 1
        var pipeline = Pipeline(inputs: [path], options: options)
        pipeline.stopAfter = stage.cut
        let stats = try await pipeline.run(sink: try stage.sink()) { _ in }
        print("\(cpuSeconds()) \(stats.lines.records) \(stats.events)")
    }
}

/// CPU seconds (user and system) this process has used.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return user + system
}

/// Seconds on the monotonic clock.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
