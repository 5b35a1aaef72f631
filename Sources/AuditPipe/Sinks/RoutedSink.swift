/// Several event sinks at once, each with its own `where:` filter (a pipeline's `outputs:`). Events flagged
/// `uncorrelated` go only to the routes that ask for them when any does, else everywhere.
public final class RoutedSink: EventSink {
    /// One destination.
    public struct Route {
        public var sink: any EventSink
        public var filter: FilterExpression?
        /// True for an `uncorrelated` output: it takes only uncorrelated events.
        public var uncorrelatedOnly: Bool

        /// Creates a route.
        public init(sink: any EventSink, filter: FilterExpression?, uncorrelatedOnly: Bool = false) {
            self.sink = sink
            self.filter = filter
            self.uncorrelatedOnly = uncorrelatedOnly
        }
    }

    private let routes: [Route]
    private let splitUncorrelated: Bool

    /// Creates the sink over `routes`.
    public init(_ routes: [Route]) {
        self.routes = routes
        splitUncorrelated = routes.contains(where: \.uncorrelatedOnly)
    }

    public func write(_ events: [AuditEvent]) throws(OutputError) {
        for r in routes {
            let selected = events.filter { e in
                let uncorrelated = e.flags.contains(.uncorrelated)
                if splitUncorrelated && uncorrelated != r.uncorrelatedOnly { return false }
                return r.filter?.matches(e) ?? true
            }
            if !selected.isEmpty { try r.sink.write(selected) }
        }
    }

    public func write(records: [JSONValue]) throws(OutputError) {
        for r in routes { try r.sink.write(records: records) }
    }

    public func flush() throws(OutputError) {
        for r in routes { try r.sink.flush() }
    }

    public func close() throws(OutputError) {
        var first: OutputError?
        for r in routes {
            do throws(OutputError) { try r.sink.close() } catch { first = first ?? error }
        }
        if let first { throw first }
    }
}
