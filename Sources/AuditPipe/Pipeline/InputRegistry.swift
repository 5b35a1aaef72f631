import Synchronization

/// A run's inputs on their way to the merge (a batch run's all at once, a followed run's as its globs match new
/// files): each one's channel, index and checkpoint entry, handed over in the order they were found.
final class InputRegistry: Sendable {
    typealias Input = (channel: BoundedChannel<RecordBatch>, index: Int32, entry: Checkpoint.Entry?)

    private struct State {
        var pending: [Input] = []
        var closed = false
    }

    private let state = Mutex(State())
    /// Rung when an input is registered, sends a batch or ends.
    let wakeups = InputWakeups()

    /// Hands a new input over to the merge.
    func register(_ channel: BoundedChannel<RecordBatch>, index: Int32, entry: Checkpoint.Entry?) {
        state.withLock { $0.pending.append((channel, index, entry)) }
        wakeups.ring()
    }

    /// No more inputs will come (all were given, or a stop was requested).
    func close() {
        state.withLock { $0.closed = true }
        wakeups.ring()
    }

    /// The inputs registered since the last call.
    func take() -> [Input] {
        state.withLock { s in
            defer { s.pending = [] }
            return s.pending
        }
    }

    /// True once `close()` was called.
    var isClosed: Bool { state.withLock { $0.closed } }

    /// True while inputs wait to be taken.
    var hasPending: Bool { state.withLock { !$0.pending.isEmpty } }
}
