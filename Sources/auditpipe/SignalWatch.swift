import AuditPipe
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The write end of the pipe the signal handler writes each signal's number to (set before the handler is
/// installed; a handler may only make async-signal-safe calls, and `write` is one).
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// Turns SIGINT and SIGTERM into a stop request; remembers the first signal; a second one exits at once, by the
/// signal itself (so a supervisor sees it killed, not the 130/143 of a stop that wrote everything), saying so.
/// One sent again within half a second is the same request: GNU `timeout` and a process-group kill deliver it
/// twice, and taken as a second one it dropped the open groups of every such run (a new-user trial).
///
/// A `sigaction` handler writes each delivered signal to a pipe that a thread of its own reads (the self-pipe
/// way). Not a `DispatchSource`: on Linux libdispatch takes signals through a `signalfd` and re-raises those a
/// thread took the usual way, and one SIGTERM was now and then lost (the follower ran on) or counted twice (it
/// exited at once, without its summary and stats): 4 runs of 40 in a test.
final class SignalWatch {
    /// The first signal, shared with the reading thread.
    private final class First: Sendable {
        /// The signal and when it came (`CLOCK_MONOTONIC`, nanoseconds).
        let signal = Mutex<(sig: Int32, at: UInt64)?>(nil)
    }

    /// A repeat within this of the first signal is taken as the same stop request.
    static let sameRequestWithin: UInt64 = 500_000_000

    private let first = First()

    init(control: RunControl) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            FileHandleStderr.write(
                "auditpipe: warning: cannot watch for SIGINT/SIGTERM: \(String(cString: strerror(errno)))\n")
            return
        }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        signalPipeWriteEnd = ends[1]
        let readEnd = ends[0]
        let first = self.first
        Thread.detachNewThread {
            var byte: UInt8 = 0
            while true {
                let n = read(readEnd, &byte, 1)
                if n < 0 && errno == EINTR { continue }
                guard n == 1 else { return }
                let sig = Int32(byte)
                let now = DispatchTime.now().uptimeNanoseconds
                // false: the first; nil: the first again (within half a second); true: a second request.
                let again = first.signal.withLock { f -> Bool? in
                    if let earlier = f { return now - earlier.at < SignalWatch.sameRequestWithin ? nil : true }
                    f = (sig, now)
                    return false
                }
                guard let again else { continue }
                if again {
                    FileHandleStderr.write(
                        "auditpipe: a second \(sig == SIGINT ? "SIGINT" : "SIGTERM"): stopped at once; open groups not written, no summary\n"
                    )
                    // Ended by the signal itself: its default action, with the signal unblocked in this thread (the
                    // runtime's threads may block it, and `raise` then only left it pending).
                    signal(sig, SIG_DFL)
                    var only = sigset_t()
                    sigemptyset(&only)
                    sigaddset(&only, sig)
                    pthread_sigmask(SIG_UNBLOCK, &only, nil)
                    raise(sig)
                    kill(getpid(), sig)
                    usleep(200_000)
                    _exit(128 + sig)
                }
                control.requestStop()
            }
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { sig in
            let saved = errno
            var byte = UInt8(truncatingIfNeeded: sig)
            _ = write(signalPipeWriteEnd, &byte, 1)
            errno = saved
        }
        action.sa_flags = SA_RESTART
        sigemptyset(&action.sa_mask)
        // A parent may have left these blocked (some launchers do in their threads): unblock them, or the
        // signal would never reach the handler.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for sig in [SIGINT, SIGTERM] {
            sigaction(sig, &action, nil)
            sigaddset(&unblock, sig)
        }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    /// The first signal received, if any.
    var received: Int32? { first.signal.withLock { $0?.sig } }
}
