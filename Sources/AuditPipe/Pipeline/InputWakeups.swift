import Synchronization

/// Wakes the merge when a quiet input sends again, or a followed input appears: the merge waits on this
/// instead of on any one input's channel once every input it has is quiet.
final class InputWakeups: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// Says that something may be ready.
    func ring() {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { s in
            if let w = s.waiter.take() { return w }
            s.rung = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns once `ring()` was called since the last wait.
    func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now: Bool = state.withLock { s in
                if s.rung {
                    s.rung = false
                    return true
                }
                s.waiter = c
                return false
            }
            if now { c.resume() }
        }
    }
}
