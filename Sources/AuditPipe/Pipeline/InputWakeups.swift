import Synchronization

/// Wakes the merge when a quiet input sends again, or a followed input appears: the merge waits on this
/// instead of on any one input's channel once every input it has is quiet.
final class InputWakeups: Sendable {
    private struct State {
        var rung = false
        var inputs: [Int32] = []
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

    /// Says that input `input` sent (a batch, or its end).
    func ring(input: Int32) {
        state.withLock { $0.inputs.append(input) }
        ring()
    }

    /// The inputs that rang since the last call, in order (with repeats).
    func takeRung() -> [Int32] {
        state.withLock { s in
            defer { s.inputs = [] }
            return s.inputs
        }
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
