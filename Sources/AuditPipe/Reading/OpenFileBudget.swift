import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How many input files may be open at once: each input holds a slot while it reads, and gives it back
/// (with its descriptor) at its end, when it has nothing to read, or before a send that would wait, so a
/// run follows or merges many more files than the open-file limit allows, first come first served.
final class OpenFileBudget: Sendable {
    private struct State {
        var free: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
        var head = 0
    }

    private let state: Mutex<State>
    /// Slots in all.
    let capacity: Int

    /// The process's budget: three quarters of the open-file limit above a reserve for outputs, sinks,
    /// checkpoints and the runtime.
    static let shared = OpenFileBudget(capacity: defaultCapacity())

    /// A budget of `capacity` (≥ 1) slots.
    init(capacity: Int) {
        self.capacity = max(1, capacity)
        state = Mutex(State(free: self.capacity))
    }

    /// Waits for a free slot and takes it.
    func acquire() async {
        let now: Bool = state.withLock { s in
            guard s.free > 0, s.head == s.waiters.count else { return false }
            s.free -= 1
            return true
        }
        if now { return }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let granted: Bool = state.withLock { s in
                if s.free > 0 && s.head == s.waiters.count {
                    s.free -= 1
                    return true
                }
                s.waiters.append(c)
                return false
            }
            if granted { c.resume() }
        }
    }

    /// Gives a slot back: to the longest waiter, else to the pool.
    func release() {
        let next: CheckedContinuation<Void, Never>? = state.withLock { s in
            guard s.head < s.waiters.count else {
                s.free += 1
                return nil
            }
            let c = s.waiters[s.head]
            s.head += 1
            if s.head >= 1024 && s.head * 2 >= s.waiters.count {
                s.waiters.removeFirst(s.head)
                s.head = 0
            }
            return c
        }
        next?.resume()
    }

    /// Slots free now (for tests and stats).
    var available: Int { state.withLock { $0.free } }

    /// True when slots run short (someone waits, or under an eighth are free): only then does a reader give
    /// its descriptor back. A few inputs keep theirs, so a file deleted or rotated while read is read to its
    /// end through its descriptor; many inputs always leave some slots circulating, so none waits for ever.
    var isShort: Bool {
        state.withLock { s in s.head < s.waiters.count || s.free < Swift.max(1, capacity / 8) }
    }

    private static func defaultCapacity() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 256 }
        let soft = limit.rlim_cur >= rlim_t(1 << 30) ? 1 << 20 : Int(limit.rlim_cur)
        return max(8, min(1 << 16, (soft - 128) * 3 / 4))
    }
}
