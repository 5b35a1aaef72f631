/// Builds event sinks from output specs: the one place a `-o`, `--output-dir`, `--output-format`, a pipeline
/// file's `outputs:` or a query's format becomes a sink.
public enum SinkFactory {
    /// The sink writing to every event output in `outputs` (dead-letter and stats outputs are not sinks):
    /// one sink when there is one output without a `where:`, else one route per output. `records` is for raw
    /// records (`filter --records`): a CSV output without columns then takes the record columns.
    public static func open(_ outputs: [PipelineSpec.Output], records: Bool) throws(OutputError) -> any EventSink {
        var routes: [RoutedSink.Route] = []
        for o in outputs where o.path != "-" && o.template == nil && o.kind != .archive {
            try OutputFile.makeParentDirectories(of: o.path)
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
                let defaults = records ? CSVSink.defaultRecordColumns : CSVSink.defaultColumns
                let sink = try CSVSink(path: o.path, columns: o.columns ?? defaults, bom: o.bom)
                routes.append(.init(sink: sink, filter: o.whereFilter))
            case .archive: routes.append(.init(sink: try DailyJSONLSink(directory: o.path), filter: o.whereFilter))
            case .deadLetter, .stats: break
            }
        }
        if routes.count == 1, routes[0].filter == nil, !routes[0].uncorrelatedOnly { return routes[0].sink }
        return RoutedSink(routes)
    }
}
