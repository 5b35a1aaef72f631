import Testing

@testable import AuditPipe

/// The heap orders the correlator's deadlines and the merger's inputs; among equal keys the order it pops them
/// in decides output order, so it must pop exactly as the swap-based heap it replaced (kept here as the oracle).
struct MinHeapTests {
    struct SwapHeap<Element> {
        var items: [Element] = []
        let less: (Element, Element) -> Bool

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
    }

    enum KeyOrder: HeapOrder {
        typealias Element = (key: Int64, tag: Int)
        static func less(_ a: Element, _ b: Element) -> Bool { a.key < b.key }
    }

    @Test func popsExactlyAsTheSwapHeapAmongEqualKeys() {
        for seed in UInt64(1)...30 {
            var rng = SplitMix64(seed: seed)
            var heap = MinHeap<KeyOrder>()
            var oracle = SwapHeap<(key: Int64, tag: Int)>(less: KeyOrder.less)
            var popped: [Int64] = []
            for tag in 0..<4_000 {
                if rng.next() % 3 == 0 {
                    let a = heap.pop()
                    let b = oracle.pop()
                    #expect(a?.tag == b?.tag && a?.key == b?.key, "seed \(seed) step \(tag)")
                    if let a { popped.append(a.key) }
                } else {
                    // Few distinct keys: most pushes tie with elements already in the heap.
                    let e = (key: Int64(rng.next() % 16), tag: tag)
                    heap.push(e)
                    oracle.push(e)
                }
                #expect(heap.count == oracle.items.count)
            }
            var rest: [Int64] = []
            while let a = heap.pop() {
                #expect(a.tag == oracle.pop()?.tag)
                rest.append(a.key)
            }
            #expect(rest == rest.sorted(), "seed \(seed): what is left comes out in key order")
            #expect(oracle.pop() == nil)
        }
    }
}
