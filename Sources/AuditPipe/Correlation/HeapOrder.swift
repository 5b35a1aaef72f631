/// How a `MinHeap` orders its elements: a static `less`, specialized into the heap's sifts (a stored closure
/// cost an indirect call per comparison on the correlator's and the merger's hot paths).
protocol HeapOrder {
    associatedtype Element
    /// True when `a` comes out before `b`.
    static func less(_ a: Element, _ b: Element) -> Bool
}
