/// A binary min-heap ordered by `less`.
struct MinHeap<Element> {
    private(set) var items: [Element] = []
    private let less: (Element, Element) -> Bool

    init(less: @escaping (Element, Element) -> Bool) { self.less = less }

    var isEmpty: Bool { items.isEmpty }
    var count: Int { items.count }
    var top: Element? { items.first }

    mutating func push(_ e: Element) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard less(items[i], items[parent]) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    @discardableResult
    mutating func pop() -> Element? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let e = items.removeLast()
        var i = 0
        let n = items.count
        while true {
            let l = 2 * i + 1
            let r = l + 1
            var m = i
            if l < n && less(items[l], items[m]) { m = l }
            if r < n && less(items[r], items[m]) { m = r }
            if m == i { break }
            items.swapAt(i, m)
            i = m
        }
        return e
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
                if l < items.count && less(items[l], items[m]) { m = l }
                if r < items.count && less(items[r], items[m]) { m = r }
                if m == j { break }
                items.swapAt(j, m)
                j = m
            }
            i -= 1
        }
    }
}
