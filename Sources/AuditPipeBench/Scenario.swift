import AuditPipe

#if canImport(Glibc)
    import Glibc
#endif

/// One measured run, executed in a child process so its peak RSS is its own.
enum Scenario: String, CaseIterable {
    case readFrame = "read-frame"
    case correlateDiscard = "correlate-discard"
    case correlateJSONL = "correlate-jsonl"
    case openGroups = "open-groups"
    case archive
    case empty

    /// Runs the scenario on `path`; prints `seconds records events` on stdout.
    func run(path: String, output: String) async throws {
        let start = monotonicSeconds()
        var records: Int64 = 0
        var events: Int64 = 0
        switch self {
        case .readFrame:
            records = try LineFramingBaseline.countLines(path: path)
        case .archive:
            // `path` is a live directory holding one day's events; `output` the archive directory.
            var options = ArchiveRun.Options(liveDirectory: path, archiveDirectory: output, now: Int64.max / 2)
            options.olderThan = 0
            let report = try ArchiveRun(options: options).run()
            records = Int64(report.uncompressedBytes)
            events = Int64(report.eventsArchived)
        case .correlateDiscard, .correlateJSONL, .openGroups, .empty:
            var options = PipelineOptions()
            if self == .openGroups {
                options.correlation.idle = 3600 * UTCTime.second
                options.correlation.maxOpenGroups = 2_000_000
            }
            let sink = try JSONLSink(path: self == .correlateJSONL ? output : "/dev/null")
            let stats = try await CorrelatePipeline(inputs: [InputSpec(path: path)], options: options)
                .run(sink: sink) { _ in }
            records = stats.lines.records
            events = stats.events
        }
        print("\(monotonicSeconds() - start) \(records) \(events)")
    }
}

/// Seconds on the monotonic clock.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
