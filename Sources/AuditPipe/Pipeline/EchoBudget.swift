import Synchronization

/// How many rejected lines a run without a dead-letter output still shows: the first ten.
final class EchoBudget: Sendable {
    private let shown = Mutex(0)

    /// True while fewer than ten were shown (and counts this one).
    func take() -> Bool {
        shown.withLock { n in
            n += 1
            return n <= 10
        }
    }
}
