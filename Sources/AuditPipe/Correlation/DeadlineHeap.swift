/// A group's deadline in the correlator's heap: when slot `slot` of generation `gen` is due.
struct Deadline {
    var key: Int64
    var slot: Int32
    var gen: UInt32
}

/// The correlator's deadlines: a binary min-heap by `key`, as `MinHeap` orders them (the same sifts, so equal
/// keys come out in the same order), with the comparison inline: `MinHeap`'s stored closure cost an indirect
/// call per comparison.
struct DeadlineHeap {
    private(set) var items: [Deadline] = []

    var count: Int { items.count }
    var top: Deadline? { items.first }

    mutating func push(_ e: Deadline) {
        items.append(e)
        items.withUnsafeMutableBufferPointer { h in
            var i = h.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard e.key < h[parent].key else { break }
                h[i] = h[parent]
                i = parent
            }
            h[i] = e
        }
    }

    mutating func pop() {
        guard !items.isEmpty else { return }
        let last = items.removeLast()
        guard !items.isEmpty else { return }
        items.withUnsafeMutableBufferPointer { h in
            let n = h.count
            var i = 0
            while true {
                let l = 2 * i + 1
                guard l < n else { break }
                let r = l + 1
                let m = r < n && h[r].key < h[l].key ? r : l
                guard h[m].key < last.key else { break }
                h[i] = h[m]
                i = m
            }
            h[i] = last
        }
    }

    /// Drops the deadlines `keep` rejects and restores the heap order (`MinHeap.compact`'s heapify).
    mutating func compact(keeping keep: (Deadline) -> Bool) {
        items.removeAll { !keep($0) }
        var i = items.count / 2 - 1
        while i >= 0 {
            var j = i
            while true {
                let l = 2 * j + 1
                let r = l + 1
                var m = j
                if l < items.count && items[l].key < items[m].key { m = l }
                if r < items.count && items[r].key < items[m].key { m = r }
                if m == j { break }
                items.swapAt(j, m)
                j = m
            }
            i -= 1
        }
    }
}
