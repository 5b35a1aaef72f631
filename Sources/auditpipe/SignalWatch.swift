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
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                let again = first.signal.withLock { f -> Bool in
                    if f != nil { return true }
                    f = sig
                    return false
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
