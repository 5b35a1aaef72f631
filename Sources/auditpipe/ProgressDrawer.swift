import AuditPipe
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Draws a run's progress on stderr every quarter second: one line redrawn in place on a terminal (bytes,
/// MB/s, events/s and, for files, the share done and an ETA), a plain line every second otherwise.
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
            guard terminal || tick % 4 == 0 else { return }
            let text = progress.snapshot().line(seconds: RunClock.seconds() - started)
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
}
