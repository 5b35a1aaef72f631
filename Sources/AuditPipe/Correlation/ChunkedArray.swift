/// An array kept in fixed-size chunks, so growing it never copies what it holds nor needs twice its size
/// while it grows (the correlator's slots can hold a million open groups).
struct ChunkedArray<Element> {
    private static var shift: Int { 10 }
    private static var mask: Int { (1 << shift) - 1 }
    private var chunks: [[Element]] = []

    /// Number of elements.
    private(set) var count = 0

    /// The element at `i`, read or modified in place.
    subscript(i: Int) -> Element {
        _read { yield chunks[i >> Self.shift][i & Self.mask] }
        _modify { yield &chunks[i >> Self.shift][i & Self.mask] }
    }

    /// Adds an element at the end.
    mutating func append(_ element: Element) {
        if count & Self.mask == 0 {
            chunks.append([])
            chunks[chunks.count - 1].reserveCapacity(1 << Self.shift)
        }
        chunks[chunks.count - 1].append(element)
        count += 1
    }
}
