import AuditPipe
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Draws a run's progress on stderr every quarter second: one line redrawn in place on a terminal (bytes,
/// MB/s, events/s and, for files, the share done and an ETA), a plain line every ten seconds otherwise.
final class ProgressDrawer {
    /// Ticks so far, and whether a line is on the terminal.
    private final class State: Sendable {
        let value = Mutex((ticks: 0, drawn: false))
    }

    private let timer: any DispatchSourceTimer
    private let terminal = isatty(2) == 1
    private let state = State()

    init(_ progress: PipelineProgress) {
        let started = RunClock.seconds()
        let terminal = self.terminal
        let state = self.state
        timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + .milliseconds(250), repeating: .milliseconds(250))
        timer.setEventHandler {
            let tick = state.value.withLock { s in
                s.ticks += 1
                return s.ticks
            }
            guard terminal || tick % 40 == 0 else { return }
            let text = Self.text(progress.snapshot(), seconds: RunClock.seconds() - started)
            FileHandleStderr.write(terminal ? "\r\u{1B}[K" + text : text + "\n")
            state.value.withLock { $0.drawn = true }
        }
        timer.resume()
    }

    /// Stops drawing and clears the line.
    func stop() {
        timer.cancel()
        if terminal && state.value.withLock({ $0.drawn }) { FileHandleStderr.write("\r\u{1B}[K") }
    }

    /// The line: `auditpipe: 45% of 139 MB, 63 MB read, 48 MB/s, … events (12034/s), ETA 0:02` for files;
    /// the counts alone for streams.
    static func text(_ s: PipelineProgress.Snapshot, seconds: Double) -> String {
        let t = max(0.001, seconds)
        let mb = Double(s.bytesRead) / 1e6
        var figures =
            "\(Int(mb)) MB read, \(Int(mb / t)) MB/s, \(s.records) records, \(s.events) events (\(Int(Double(s.events) / t))/s)"
        if s.inputs > 1 { figures += ", \(s.inputsDone)/\(s.inputs) inputs" }
        if let f = s.fraction, f > 0 {
            let eta = Int(t / f - t)
            figures =
                "\(Int(f * 100))% of \(s.totalBytes / 1_000_000) MB, " + figures
                + ", ETA \(eta / 60):\(eta % 60 < 10 ? "0" : "")\(eta % 60)"
        }
        return "auditpipe: " + figures
    }
}
