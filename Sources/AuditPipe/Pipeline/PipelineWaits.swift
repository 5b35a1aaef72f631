import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a run's stages waited on each other: for each channel between two stages, how often and how long its
/// senders waited on a full channel (the stage after it was slower) and its receivers on an empty one (the
/// stage before it was slower). Only a wait reads the clock, so an unhindered pipeline pays nothing for it.
public final class PipelineWaits: Sendable {
    /// A channel between two stages.
    public enum Edge: Int, CaseIterable, Sendable {
        /// The reader's framed lines to the parse workers.
        case readToParse
        /// The parse workers' lines to the joiner (continuation lines, batch order).
        case parseToJoin
        /// An input's record batches to the merge and the correlator.
        case joinToCorrelate
        /// Closed groups to the enricher.
        case correlateToEnrich
        /// Events to the sinks.
        case enrichToSink

        /// `read → parse`, as the bench prints it.
        public var name: String {
            switch self {
            case .readToParse: "read → parse"
            case .parseToJoin: "parse → join"
            case .joinToCorrelate: "join → correlate"
            case .correlateToEnrich: "correlate → enrich"
            case .enrichToSink: "enrich → sink"
            }
        }
    }

    /// One channel's waits.
    public struct Waits: Sendable, Equatable {
        /// Sends that found the channel full, and the seconds they waited in all.
        public var fullWaits: Int64 = 0
        public var fullSeconds: Double = 0
        /// Receives that found the channel empty, and the seconds they waited in all.
        public var emptyWaits: Int64 = 0
        public var emptySeconds: Double = 0

        /// No waits.
        public init() {}
    }

    private let state = Mutex([Waits](repeating: Waits(), count: Edge.allCases.count))

    /// Creates empty counts.
    public init() {}

    /// The counts so far, by channel.
    public var snapshot: [Edge: Waits] {
        state.withLock { w in Dictionary(uniqueKeysWithValues: Edge.allCases.map { ($0, w[$0.rawValue]) }) }
    }

    /// Notes a send that waited `seconds` on a full `edge`.
    func full(_ edge: Edge, _ seconds: Double) {
        state.withLock {
            $0[edge.rawValue].fullWaits += 1
            $0[edge.rawValue].fullSeconds += seconds
        }
    }

    /// Notes a receive that waited `seconds` on an empty `edge`.
    func empty(_ edge: Edge, _ seconds: Double) {
        state.withLock {
            $0[edge.rawValue].emptyWaits += 1
            $0[edge.rawValue].emptySeconds += seconds
        }
    }

    /// Seconds on the monotonic clock.
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
