extension Array {
    /// Calls `body` with each element where it lies in the array's storage, which `body` must only read.
    ///
    /// Reading `array[i]` (or an unsafe buffer's `buf[i]`) and passing it on copies the element first: a retain
    /// and later a release of every reference it holds, which for an event or a group is a good part of what
    /// the callee does with it (measured in BENCHMARKS.md). An element passed by address is borrowed.
    @inline(__always)
    func readEachInPlace(_ body: (inout Element) throws -> Void) rethrows {
        try withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            // Never written through: the storage may be shared with other copies of the array.
            let elements = UnsafeMutablePointer(mutating: base)
            for i in 0..<buffer.count { try body(&elements[i]) }
        }
    }

    /// Calls `body` with each element where it lies, for `body` to change or move parts out of (a stage that
    /// consumes its batch takes each element's references along instead of retaining and releasing them). The
    /// storage is copied first only if another array shares it.
    @inline(__always)
    mutating func updateEachInPlace(_ body: (inout Element) throws -> Void) rethrows {
        try withUnsafeMutableBufferPointer { buffer in
            for i in buffer.indices { try body(&buffer[i]) }
        }
    }
}

extension Array {
    /// Inserts `element` first, the others moved up at once (`insert(_:at: 0)` moved them one at a time); with
    /// spare capacity, nothing is allocated.
    mutating func prepend(_ element: consuming Element) {
        append(element)
        withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, buffer.count > 1 else { return }
            let first = (base + buffer.count - 1).move()
            (base + 1).moveInitialize(from: base, count: buffer.count - 1)
            base.initialize(to: first)
        }
    }
}
