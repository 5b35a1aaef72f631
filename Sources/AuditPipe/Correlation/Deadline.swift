/// A group's deadline in the correlator's heap: when slot `slot` of generation `gen` is due.
struct Deadline {
    var key: Int64
    var slot: Int32
    var gen: UInt32

    /// Deadlines by `key` alone (equal keys pop in the heap's fixed order).
    enum Order: HeapOrder {
        static func less(_ a: Deadline, _ b: Deadline) -> Bool { a.key < b.key }
    }
}
