/// A binary min-heap ordered by `Order.less`; among equal elements it pops in the order the swap-based heap it
/// replaced did (`MinHeapTests`), which output order depends on.
struct MinHeap<Order: HeapOrder> {
    typealias Element = Order.Element
    private(set) var items: [Element] = []

    init() {}

    var isEmpty: Bool { items.isEmpty }
    var count: Int { items.count }
    var top: Element? { items.first }

    mutating func push(_ e: Element) {
        items.append(e)
        items.withUnsafeMutableBufferPointer { h in
            // Sift up with a hole: parents move down, the new element is written once where it belongs.
            var i = h.count - 1
            let moving = h[i]
            while i > 0 {
                let parent = (i - 1) / 2
                guard Order.less(moving, h[parent]) else { break }
                h[i] = h[parent]
                i = parent
            }
            h[i] = moving
        }
    }

    @discardableResult
    mutating func pop() -> Element? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        guard !items.isEmpty else { return top }
        items.withUnsafeMutableBufferPointer { h in
            // Sift the last element down from the root with a hole: the smaller child moves up each level, the
            // element is written once (a swap per level wrote both, through the array's checks).
            let n = h.count
            var i = 0
            while true {
                let l = 2 * i + 1
                guard l < n else { break }
                let r = l + 1
                let m = r < n && Order.less(h[r], h[l]) ? r : l
                guard Order.less(h[m], last) else { break }
                h[i] = h[m]
                i = m
            }
            h[i] = last
        }
        return top
    }

    /// Changes every element with `transform`, which must keep their order.
    mutating func remap(keepingOrder transform: (inout Element) -> Void) {
        for i in items.indices { transform(&items[i]) }
    }

    /// Drops the elements `keep` rejects and restores the heap order (Floyd's heapify, O(n)).
    mutating func compact(keeping keep: (Element) -> Bool) {
        items.removeAll { !keep($0) }
        var i = items.count / 2 - 1
        while i >= 0 {
            var j = i
            while true {
                let l = 2 * j + 1
                let r = l + 1
                var m = j
                if l < items.count && Order.less(items[l], items[m]) { m = l }
                if r < items.count && Order.less(items[r], items[m]) { m = r }
                if m == j { break }
                items.swapAt(j, m)
                j = m
            }
            i -= 1
        }
    }
}
