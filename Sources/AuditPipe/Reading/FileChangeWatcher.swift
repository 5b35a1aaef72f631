import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One watcher for every followed file: an inotify instance on the files' directories (no descriptor per
/// file) read by one polling task, which wakes the inputs whose files changed and those whose deadline
/// passed. Without inotify, inputs wake at their deadlines only and look for themselves.
final class FileChangeWatcher: Sendable {
    /// A watched file: its directory's watch and its name there.
    struct Key: Hashable, Sendable {
        var watch: Int32
        var name: String
    }

    private struct Waiter {
        var deadline: Int64
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var fd: Int32
        var watches: [String: Int32] = [:]
        var generations: [Key: UInt64] = [:]
        /// Bumped when the kernel's queue overflowed: every file may have changed.
        var overflows: UInt64 = 0
        var waiters: [Key: [Waiter]] = [:]
        var waiting = 0
        var nextDeadline = Int64.max
        var polling = false
        var unwatched = -1
    }

    private let state: Mutex<State>
    /// How often the polling task looks at the queue and the deadlines (ns).
    let tick: Int64 = 20_000_000

    /// The process's watcher.
    static let shared = FileChangeWatcher()

    /// True when changes are seen as they happen (inotify); false when inputs must look at their deadlines.
    var seesChanges: Bool { state.withLock { $0.fd >= 0 } }

    init() {
        #if canImport(Glibc)
            let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        #else
            let fd: Int32 = -1
        #endif
        state = Mutex(State(fd: fd))
    }

    /// Starts watching `path`'s directory (once per directory) and returns the file's key.
    func watch(_ path: String) -> Key {
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return state.withLock { s in
            if let w = s.watches[dir] { return Key(watch: w, name: name) }
            var w: Int32 = -1
            #if canImport(Glibc)
                if s.fd >= 0 {
                    let mask =
                        IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO
                    w = inotify_add_watch(s.fd, dir, UInt32(mask))
                }
            #endif
            if w < 0 {
                // Not watched (no inotify, or the directory is missing yet): a key of its own, deadlines only.
                w = Int32(s.unwatched)
                s.unwatched -= 1
            } else {
                s.watches[dir] = w
            }
            return Key(watch: w, name: name)
        }
    }

    /// What has been seen of `key` so far: take it before looking at the file, then wait after it.
    func ticket(_ key: Key) -> UInt64 {
        state.withLock { s in s.generations[key, default: 0] &+ s.overflows }
    }

    /// Returns once `key` changed after `ticket` was taken, or at `deadline` (monotonic ns).
    func wait(_ key: Key, after ticket: UInt64, until deadline: Int64) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let (now, startPolling): (Bool, Bool) = state.withLock { s in
                if s.generations[key, default: 0] &+ s.overflows != ticket { return (true, false) }
                s.waiters[key, default: []].append(Waiter(deadline: deadline, continuation: c))
                s.waiting += 1
                s.nextDeadline = min(s.nextDeadline, deadline)
                let start = !s.polling
                s.polling = true
                return (false, start)
            }
            if now { c.resume() }
            if startPolling { Task { await self.poll() } }
        }
    }

    /// Reads the change queue and wakes waiters every tick while any wait.
    private func poll() async {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            try? await Task.sleep(nanoseconds: UInt64(tick))
            let now = RunControl.now()
            var wake: [CheckedContinuation<Void, Never>] = []
            let done: Bool = state.withLock { s in
                var changed = Set<Key>()
                var overflow = false
                if s.fd >= 0 { Self.drain(s.fd, into: &buffer, changed: &changed, overflow: &overflow) }
                if overflow {
                    s.overflows &+= 1
                    for (_, list) in s.waiters { wake += list.map(\.continuation) }
                    s.waiters = [:]
                } else {
                    for key in changed {
                        s.generations[key, default: 0] &+= 1
                        if let list = s.waiters.removeValue(forKey: key) { wake += list.map(\.continuation) }
                    }
                }
                if now >= s.nextDeadline {
                    var next = Int64.max
                    for (key, list) in s.waiters {
                        guard list.contains(where: { $0.deadline <= now }) else {
                            next = min(next, list.map(\.deadline).min() ?? next)
                            continue
                        }
                        let kept = list.filter { $0.deadline > now }
                        wake += list.filter { $0.deadline <= now }.map(\.continuation)
                        s.waiters[key] = kept.isEmpty ? nil : kept
                        next = min(next, kept.map(\.deadline).min() ?? next)
                    }
                    s.nextDeadline = next
                }
                s.waiting -= wake.count
                if s.waiting == 0 {
                    s.polling = false
                    s.nextDeadline = .max
                    return true
                }
                return false
            }
            for c in wake { c.resume() }
            if done { return }
        }
    }

    /// Reads every queued event: the keys of the files named, and whether the queue overflowed.
    private static func drain(_ fd: Int32, into buffer: inout [UInt8], changed: inout Set<Key>, overflow: inout Bool) {
        #if canImport(Glibc)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                guard n > 0 else { return }
                var at = 0
                buffer.withUnsafeBytes { raw in
                    let header = MemoryLayout<inotify_event>.size
                    while at + header <= n {
                        let wd = raw.loadUnaligned(fromByteOffset: at, as: Int32.self)
                        let mask = raw.loadUnaligned(fromByteOffset: at + 4, as: UInt32.self)
                        let length = Int(raw.loadUnaligned(fromByteOffset: at + 12, as: UInt32.self))
                        if mask & UInt32(IN_Q_OVERFLOW) != 0 { overflow = true }
                        if length > 0 {
                            let bytes = raw[(at + header)..<(at + header + length)]
                            let name = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
                            changed.insert(Key(watch: wd, name: name))
                        }
                        at += header + length
                    }
                }
            }
        #endif
    }
}
