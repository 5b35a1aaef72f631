import AuditPipe
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Live-stream latency: requests written to a pipe that stays open (stdin of the pipeline), each followed
/// by silence; how long after its last line each event reaches the sink, beyond the idle gap.
enum LiveLatency {
    static let idleSeconds = 1.0
    static let requests = 5

    /// Runs in a child process (it takes over stdin); prints `median max` extra seconds over `--idle`.
    static func run() async throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0, dup2(fds[0], 0) >= 0 else { throw BenchError(message: "pipe failed") }
        close(fds[0])
        let writeFD = fds[1]
        let sink = ArrivalSink()
        let sent = Mutex<[Double]>([])
        let writer = Task.detached {
            for i in 0..<requests {
                let text = """
                    {"ts":"2026-11-21T10:00:0\(i).000Z","service":"auth","request_id":"live-\(i)","msg":"token checked"}
                    {"ts":"2026-11-21T10:00:0\(i).050Z","service":"reports","request_id":"live-\(i)","msg":"rows read"}

                    """
                _ = text.withCString { Glibc.write(writeFD, $0, strlen($0)) }
                sent.withLock { $0.append(monotonicSeconds()) }
                try? await Task.sleep(nanoseconds: UInt64((idleSeconds + 0.7) * 1e9))
            }
            close(writeFD)
        }
        var options = PipelineOptions()
        options.live = true
        options.correlation.idle = Int64(idleSeconds * 1e9)
        _ = try await Pipeline(inputs: ["-"], options: options).run(sink: sink) { _ in }
        await writer.value
        let starts = sent.withLock { $0 }
        let extra = zip(sink.arrivals, starts).map { $0 - $1 - idleSeconds }.sorted()
        guard !extra.isEmpty else { throw BenchError(message: "no events arrived") }
        print("\(extra[extra.count / 2]) \(extra.last!)")
    }
}

/// Notes when each event arrives.
final class ArrivalSink: EventSink, @unchecked Sendable {
    private(set) var arrivals: [Double] = []
    func write(_ events: [AuditEvent]) throws(OutputError) {
        let now = monotonicSeconds()
        arrivals.append(contentsOf: events.map { _ in now })
    }
    func write(records: [JSONValue]) throws(OutputError) {}
    func flush() throws(OutputError) {}
    func close() throws(OutputError) {}
}
