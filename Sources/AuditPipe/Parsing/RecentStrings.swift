/// The field values a parse worker made into `String`s lately, by the hash of their bytes, so a value that
/// repeats (a request id on each of its request's records, a user agent, a path) is shared, not made again.
///
/// A `String` of more than 15 UTF-8 bytes lives on the heap: making one costs an allocation and a copy, and
/// dropping it a free. Records of one request follow each other closely, so a small direct-mapped table
/// finds most repeats: one hash of the bytes and one comparison where a new `String` cost ~260 instructions
/// and a later free. The table is one parse worker's own (never shared between tasks). Values of up to 15
/// bytes are stored inline in their `String`, with nothing to share, but making one from bytes still cost
/// ~190 instructions (validation, then the small string built): they are kept in a second table keyed by their
/// bytes themselves (two words and the count), so a repeat (a service, a user) is one comparison and a copy.
/// Values over `maxLength` bytes are made each time (a table of long values would keep megabytes alive).
final class RecentStrings {
    /// Slots in the table (a power of two).
    static let slots = 1024
    private let hashes: UnsafeMutablePointer<UInt64>
    private let values: UnsafeMutablePointer<String>
    /// Slots in the table of values of 1 to 15 bytes (a power of two).
    static let smallSlots = 512
    private let smallKeys: UnsafeMutablePointer<SmallKey>
    private let smallValues: UnsafeMutablePointer<String>

    /// The bytes of a value of 1 to 15 bytes: its first eight and its last eight (overlapping), or its bytes
    /// in `first` alone when fewer than eight; with the count, they are the value (count 0: an empty slot).
    private struct SmallKey: Equatable {
        var first: UInt64
        var last: UInt64
        var count: Int
    }

    init() {
        hashes = .allocate(capacity: Self.slots)
        hashes.initialize(repeating: 0, count: Self.slots)
        values = .allocate(capacity: Self.slots)
        values.initialize(repeating: "", count: Self.slots)
        smallKeys = .allocate(capacity: Self.smallSlots)
        smallKeys.initialize(repeating: SmallKey(first: 0, last: 0, count: 0), count: Self.smallSlots)
        smallValues = .allocate(capacity: Self.smallSlots)
        smallValues.initialize(repeating: "", count: Self.smallSlots)
    }

    deinit {
        hashes.deallocate()
        values.deinitialize(count: Self.slots)
        values.deallocate()
        smallKeys.deallocate()
        smallValues.deinitialize(count: Self.smallSlots)
        smallValues.deallocate()
    }

    /// `String(decoding: v, as: UTF8.self)` for a value of at most 15 bytes, the last made of the same bytes when
    /// the small table holds it (the same bytes decode to the same `String`, repaired or not).
    private func small(_ v: UnsafeBufferPointer<UInt8>) -> String {
        let n = v.count
        guard n > 0, let p = v.baseAddress else { return "" }
        let raw = UnsafeRawPointer(p)
        let key: SmallKey
        if n >= 8 {
            key = SmallKey(
                first: raw.loadUnaligned(as: UInt64.self),
                last: raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self), count: n)
        } else {
            key = SmallKey(first: RequestIDHash.shortWord(raw, n), last: 0, count: n)
        }
        var h = (key.first ^ key.last &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)) &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 32
        let slot = Int(truncatingIfNeeded: h) & (Self.smallSlots - 1)
        if smallKeys[slot] == key { return smallValues[slot] }
        let s = String(decoding: v, as: UTF8.self)
        smallKeys[slot] = key
        smallValues[slot] = s
        return s
    }

    /// The longest value the table keeps: it holds at most `slots` values alive, so its memory stays bounded
    /// (~256 KiB a worker) whatever the lines hold; longer values are made each time, as before.
    static let maxLength = 256

    /// `String(decoding: v, as: UTF8.self)`, shared with the last value of the same bytes when the table holds it.
    func string(_ v: UnsafeBufferPointer<UInt8>) -> String {
        if v.count <= 15 { return small(v) }
        guard v.count <= Self.maxLength else { return String(decoding: v, as: UTF8.self) }
        return string(v, hash: RequestIDHash.hash(UnsafeRawBufferPointer(v)))
    }

    /// `string(v)` for a caller that has `RequestIDHash.hash` of `v` already.
    func string(_ v: UnsafeBufferPointer<UInt8>, hash h: UInt64) -> String {
        if v.count <= 15 { return small(v) }
        guard v.count <= Self.maxLength else { return String(decoding: v, as: UTF8.self) }
        let slot = Int(truncatingIfNeeded: h) & (Self.slots - 1)
        // Only the bytes decide: a slot whose text differs (another value of the hash, or text that decoding
        // repaired and so no longer equals the bytes it came from) is replaced.
        if hashes[slot] == h, Self.holds(values[slot], v) { return values[slot] }
        let s = String(decoding: v, as: UTF8.self)
        hashes[slot] = h
        values[slot] = s
        return s
    }

    /// True when `s`'s UTF-8 bytes are exactly `v`.
    private static func holds(_ s: String, _ v: UnsafeBufferPointer<UInt8>) -> Bool {
        let same = s.utf8.withContiguousStorageIfAvailable { b -> Bool in
            guard b.count == v.count, let x = b.baseAddress, let y = v.baseAddress else { return b.count == v.count }
            let a = UnsafeRawPointer(x)
            let c = UnsafeRawPointer(y)
            var i = 0
            while i + 8 <= v.count {
                guard
                    a.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                        == c.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                else { return false }
                i += 8
            }
            while i < v.count {
                guard x[i] == y[i] else { return false }
                i += 1
            }
            return true
        }
        return same ?? false
    }
}
