import AuditPipe

/// A row of the stage table: the one pipeline cut after a stage, or run whole into one output format.
enum BenchStage: String, CaseIterable {
    case read, frame, parse, correlate, enrich, jsonl, csv

    /// Where the pipeline stops (nil: every stage runs, into this row's sink).
    var cut: PipelineStage? {
        switch self {
        case .read: .read
        case .frame: .frame
        case .parse: .parse
        case .correlate: .correlate
        case .enrich, .jsonl, .csv: nil
        }
    }

    /// The sink of the run: JSONL or CSV to /dev/null for the output rows, nothing written otherwise.
    func sink() throws -> any EventSink {
        switch self {
        case .jsonl: try JSONLSink(path: "/dev/null")
        case .csv: try CSVSink(path: "/dev/null", columns: CSVSink.defaultColumns, bom: false)
        default: try SinkFactory.open([], records: false)
        }
    }
}
