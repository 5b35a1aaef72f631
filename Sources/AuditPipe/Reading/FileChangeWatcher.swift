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
        var key: Key
        var continuation: CheckedContinuation<Void, Never>
        var control: RunControl?
    }

    private struct State {
        var fd: Int32
        var watches: [String: Int32] = [:]
        var generations: [Key: UInt64] = [:]
        /// Bumped when the kernel's queue overflowed: every file may have changed.
        var overflows: UInt64 = 0
        /// Waiters by id, their ids by file, and their deadlines (an id already woken is skipped there).
        var waiters: [Int: Waiter] = [:]
        var byKey: [Key: [Int]] = [:]
        var deadlines = MinHeap<DeadlineOrder>()
        /// Waiters' deadlines by time.
        enum DeadlineOrder: HeapOrder {
            typealias Element = (deadline: Int64, id: Int)
            static func less(_ a: Element, _ b: Element) -> Bool { a.deadline < b.deadline }
        }
        var nextID = 0
        /// The runs whose inputs wait here: a stop request wakes their waiters at the next tick.
        var controls: [ObjectIdentifier: RunControl] = [:]
        var polling = false
        var unwatched = -1
    }

    private let state: Mutex<State>
    /// How often the polling task looks at the queue and the deadlines (ns).
    let tick: Int64 = 20_000_000

    /// The process's watcher.
    static let shared = FileChangeWatcher()

    /// Changes whenever a file is created in, or renamed into, any watched directory: what a followed run's
    /// glob is looked at again on (so a new file is found at once, not at the next second).
    static let creations = Key(watch: Int32.min, name: "")

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

    /// Returns once `key` changed after `ticket` was taken, at `deadline` (monotonic ns), or once `control`
    /// asks the run to stop.
    func wait(_ key: Key, after ticket: UInt64, until deadline: Int64, control: RunControl? = nil) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let (now, startPolling): (Bool, Bool) = state.withLock { s in
                if s.generations[key, default: 0] &+ s.overflows != ticket { return (true, false) }
                let id = s.nextID
                s.nextID += 1
                s.waiters[id] = Waiter(key: key, continuation: c, control: control)
                if let control { s.controls[ObjectIdentifier(control)] = control }
                s.byKey[key, default: []].append(id)
                s.deadlines.push((deadline, id))
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
                    wake += s.waiters.values.map(\.continuation)
                    s.waiters = [:]
                    s.byKey = [:]
                    s.deadlines = MinHeap()
                }
                for key in changed {
                    s.generations[key, default: 0] &+= 1
                    for id in s.byKey.removeValue(forKey: key) ?? [] {
                        if let w = s.waiters.removeValue(forKey: id) { wake.append(w.continuation) }
                    }
                }
                let stopped = Set(s.controls.filter { $0.value.isStopRequested }.keys)
                if !stopped.isEmpty {
                    for (id, w) in s.waiters {
                        guard let c = w.control, stopped.contains(ObjectIdentifier(c)) else { continue }
                        s.waiters[id] = nil
                        wake.append(w.continuation)
                        s.byKey[w.key]?.removeAll { $0 == id }
                    }
                    for k in stopped { s.controls[k] = nil }
                }
                while let top = s.deadlines.top, top.deadline <= now {
                    _ = s.deadlines.pop()
                    guard let w = s.waiters.removeValue(forKey: top.id) else { continue }
                    wake.append(w.continuation)
                    s.byKey[w.key]?.removeAll { $0 == top.id }
                    if s.byKey[w.key]?.isEmpty == true { s.byKey[w.key] = nil }
                }
                if s.waiters.isEmpty {
                    s.polling = false
                    s.controls = [:]
                    s.byKey = [:]
                    s.deadlines = MinHeap()
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
                        if mask & (UInt32(IN_CREATE) | UInt32(IN_MOVED_TO)) != 0 { changed.insert(creations) }
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
