import AuditPipe
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Turns SIGINT and SIGTERM into a stop request; remembers the first signal; a second one exits at once.
final class SignalWatch {
    /// The first signal, shared with the handlers.
    private final class First: Sendable {
        let signal = Mutex<Int32?>(nil)
    }

    private let first = First()
    private var sources: [any DispatchSourceSignal] = []

    init(control: RunControl) {
        let first = self.first
        // A parent may have left these blocked (some launchers do in their threads): unblock them, or the
        // signal would never reach the handler below.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        // A queue of its own (it gets a thread even while the pipeline's stages keep the shared pool busy, where
        // `.global()` waited seconds for one), and a second signal counted even when both came before the handler
        // ran (a signal source adds them up into one call).
        let queue = DispatchQueue(label: "auditpipe.signals")
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler {  // the sources live as long as the process
                let count = source.data
                let again = first.signal.withLock { f -> Bool in
                    if f != nil { return true }
                    f = sig
                    return count > 1
                }
                if again { _exit(128 + sig) }
                control.requestStop()
            }
            source.resume()
            sources.append(source)
        }
    }

    /// The first signal received, if any.
    var received: Int32? { first.signal.withLock { $0 } }
}
