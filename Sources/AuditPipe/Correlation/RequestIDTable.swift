/// An open-addressing table from request id to `Value` (linear probing, backward-shift deletion), keyed by
/// the `RequestIDHash` a record carries and confirmed by comparing the ids on a hash match: the correlator
/// finds an open group or a closed id without hashing the id again.
///
/// The entries lie densely in one array and the slots hold only their hashes and places: slots of optional
/// entries (each with a `String`) were made, copied and destroyed one by one through the optional's value
/// witnesses at every growth (the closed-id memory's table grew eleven times on dump10k: 6.5M instructions).
struct RequestIDTable<Value> {
    private struct Entry {
        var hash: UInt64
        var id: String
        var value: Value
    }

    /// The ids held, in no particular order.
    private var entries: [Entry] = []
    /// Per slot: the place in `entries` of the id there, plus one; 0 when the slot is empty.
    private var slots: [Int32] = []
    /// Per slot: the hash of the id there (compared before the id).
    private var slotHashes: [UInt64] = []
    private var mask = 0

    /// Number of ids held.
    var count: Int { entries.count }

    /// The value held for `id` (whose hash is `hash`), or nil.
    func value(hash: UInt64, id: String) -> Value? {
        guard let i = find(hash: hash, id: id) else { return nil }
        return entries[Int(slots[i]) - 1].value
    }

    /// Holds `value` for `id` (whose hash is `hash`), replacing any value it had.
    mutating func update(_ value: Value, hash: UInt64, id: String) {
        if let i = find(hash: hash, id: id) {
            entries[Int(slots[i]) - 1].value = value
            return
        }
        if (count + 1) * 4 > slots.count * 3 { grow() }
        var i = home(hash)
        while slots[i] != 0 { i = (i + 1) & mask }
        entries.append(Entry(hash: hash, id: id, value: value))
        slots[i] = Int32(entries.count)
        slotHashes[i] = hash
    }

    /// Removes `id` (whose hash is `hash`) and returns its value, or nil when it is not held.
    @discardableResult
    mutating func remove(hash: UInt64, id: String) -> Value? {
        guard let found = find(hash: hash, id: id) else { return nil }
        let place = Int(slots[found]) - 1
        slots[found] = 0
        // Shift later slots of the probe run back into the hole, so no lookup meets a gap before its id.
        var hole = found
        var j = (found + 1) & mask
        while slots[j] != 0 {
            let h = slotHashes[j]
            if (j &- home(h)) & mask >= (j &- hole) & mask {
                (slots[hole], slotHashes[hole], slots[j]) = (slots[j], h, 0)
                hole = j
            }
            j = (j + 1) & mask
        }
        // The last entry moves into the removed one's place, and its slot is told.
        let last = entries.count - 1
        if place != last {
            var i = home(entries[last].hash)
            while Int(slots[i]) != last + 1 { i = (i + 1) & mask }
            slots[i] = Int32(place + 1)
            entries.swapAt(place, last)
        }
        return entries.removeLast().value
    }

    /// Every value held, in no particular order (the slots', as before the entries lay apart).
    var values: [Value] {
        var out: [Value] = []
        out.reserveCapacity(count)
        for place in slots where place != 0 { out.append(entries[Int(place) - 1].value) }
        return out
    }

    private func home(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash) & mask }

    /// The slot holding `id`, or nil.
    private func find(hash: UInt64, id: String) -> Int? {
        guard !entries.isEmpty else { return nil }
        var i = home(hash)
        while true {
            let place = slots[i]
            if place == 0 { return nil }
            if slotHashes[i] == hash && entries[Int(place) - 1].id == id { return i }
            i = (i + 1) & mask
        }
    }

    /// Doubles the slots, placing the ids again in the old slots' order (so they lie as they always did).
    private mutating func grow() {
        let old = slots
        let capacity = max(16, slots.count * 2)
        slots = Array(repeating: 0, count: capacity)
        slotHashes = Array(repeating: 0, count: capacity)
        mask = capacity - 1
        for place in old where place != 0 {
            let h = entries[Int(place) - 1].hash
            var i = home(h)
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = place
            slotHashes[i] = h
        }
    }
}
