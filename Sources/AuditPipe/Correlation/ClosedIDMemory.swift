/// Remembers recently closed request ids (bounded, oldest forgotten first) so a record arriving after its
/// group closed is recognised: as `late`, or as the continuation of a `partial` group.
struct ClosedIDMemory {
    struct Entry {
        var end: Int64
        var flags: EventFlags
        var serial: Int
    }

    private var entries: [String: Entry] = [:]
    private var order: [(String, Int)] = []
    private var head = 0
    private var serial = 0
    private let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    mutating func remember(_ id: String, end: Int64, flags: EventFlags) {
        serial += 1
        entries[id] = Entry(end: end, flags: flags, serial: serial)
        order.append((id, serial))
        while order.count - head > capacity {
            let (old, s) = order[head]
            head += 1
            if entries[old]?.serial == s { entries.removeValue(forKey: old) }
        }
        if head > 4096 && head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }

    mutating func take(_ id: String) -> Entry? { entries.removeValue(forKey: id) }

    /// The ids remembered now, oldest first (for a checkpoint).
    var remembered: [(id: String, end: Int64, flags: EventFlags)] {
        order[head...].compactMap { id, serial in
            guard let e = entries[id], e.serial == serial else { return nil }
            return (id, e.end, e.flags)
        }
    }
}
