/// Remembers recently closed request ids (bounded, oldest forgotten first) so a record arriving after its
/// group closed is recognised: as `late`, or as the continuation of a `partial` group.
struct ClosedIDMemory {
    struct Entry {
        var end: Int64
        var flags: EventFlags
        var serial: Int
    }

    private var entries = RequestIDTable<Entry>()
    private var order: [(id: String, hash: UInt64, serial: Int)] = []
    private var head = 0
    private var serial = 0
    private let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Remembers `id` (whose `RequestIDHash` is `hash`) as closed at `end` with `flags`.
    mutating func remember(_ id: String, hash: UInt64, end: Int64, flags: EventFlags) {
        serial += 1
        entries.update(Entry(end: end, flags: flags, serial: serial), hash: hash, id: id)
        order.append((id, hash, serial))
        while order.count - head > capacity {
            let old = order[head]
            head += 1
            if entries.value(hash: old.hash, id: old.id)?.serial == old.serial {
                entries.remove(hash: old.hash, id: old.id)
            }
        }
        if head > 4096 && head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }

    /// Forgets `id` (whose `RequestIDHash` is `hash`) and returns what was remembered of it.
    mutating func take(_ id: String, hash: UInt64) -> Entry? { entries.remove(hash: hash, id: id) }

    /// The ids remembered now, oldest first (for a checkpoint).
    var remembered: [(id: String, end: Int64, flags: EventFlags)] {
        order[head...].compactMap { id, hash, serial in
            guard let e = entries.value(hash: hash, id: id), e.serial == serial else { return nil }
            return (id, e.end, e.flags)
        }
    }
}
