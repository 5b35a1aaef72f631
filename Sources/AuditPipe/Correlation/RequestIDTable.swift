/// An open-addressing table from request id to `Value` (linear probing, backward-shift deletion), keyed by
/// the `RequestIDHash` a record carries and confirmed by comparing the ids on a hash match: the correlator
/// finds an open group or a closed id without hashing the id again.
struct RequestIDTable<Value> {
    private struct Entry {
        var hash: UInt64
        var id: String
        var value: Value
    }

    private var buckets: [Entry?] = []
    private var mask = 0

    /// Number of ids held.
    private(set) var count = 0

    /// The value held for `id` (whose hash is `hash`), or nil.
    func value(hash: UInt64, id: String) -> Value? {
        guard let i = find(hash: hash, id: id) else { return nil }
        return buckets[i]!.value
    }

    /// Holds `value` for `id` (whose hash is `hash`), replacing any value it had.
    mutating func update(_ value: Value, hash: UInt64, id: String) {
        if let i = find(hash: hash, id: id) {
            buckets[i]!.value = value
            return
        }
        if (count + 1) * 4 > buckets.count * 3 { grow() }
        var i = home(hash)
        while buckets[i] != nil { i = (i + 1) & mask }
        buckets[i] = Entry(hash: hash, id: id, value: value)
        count += 1
    }

    /// Removes `id` (whose hash is `hash`) and returns its value, or nil when it is not held.
    @discardableResult
    mutating func remove(hash: UInt64, id: String) -> Value? {
        guard let found = find(hash: hash, id: id) else { return nil }
        let removed = buckets[found].take()!.value
        count -= 1
        // Shift later entries of the probe run back into the hole, so no lookup meets a gap before its id.
        var hole = found
        var j = (found + 1) & mask
        while let h = buckets[j]?.hash {
            if (j &- home(h)) & mask >= (j &- hole) & mask {
                buckets.swapAt(hole, j)
                hole = j
            }
            j = (j + 1) & mask
        }
        return removed
    }

    /// Every value held, in no particular order.
    var values: [Value] {
        var out: [Value] = []
        out.reserveCapacity(count)
        for case let e? in buckets { out.append(e.value) }
        return out
    }

    private func home(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash) & mask }

    private func find(hash: UInt64, id: String) -> Int? {
        guard count > 0 else { return nil }
        var i = home(hash)
        while let h = buckets[i]?.hash {
            if h == hash && buckets[i]!.id == id { return i }
            i = (i + 1) & mask
        }
        return nil
    }

    private mutating func grow() {
        let old = buckets
        let capacity = max(16, buckets.count * 2)
        buckets = Array(repeating: nil, count: capacity)
        mask = capacity - 1
        for case let e? in old {
            var i = home(e.hash)
            while buckets[i] != nil { i = (i + 1) & mask }
            buckets[i] = e
        }
    }
}
