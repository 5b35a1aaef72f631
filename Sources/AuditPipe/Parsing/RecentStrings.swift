/// The field values a parse worker made into `String`s lately, by the hash of their bytes, so a value that
/// repeats (a request id on each of its request's records, a user agent, a path) is shared, not made again.
///
/// A `String` of more than 15 UTF-8 bytes lives on the heap: making one costs an allocation and a copy, and
/// dropping it a free. Records of one request follow each other closely, so a small direct-mapped table
/// finds most repeats: one hash of the bytes and one comparison where a new `String` cost ~260 instructions
/// and a later free. The table is one parse worker's own (never shared between tasks). Values of up to 15
/// bytes are made as before (they are stored inline, with nothing to share), and so are values over
/// `maxLength` bytes (a table of long values would keep megabytes alive).
final class RecentStrings {
    /// Slots in the table (a power of two).
    static let slots = 1024
    private let hashes: UnsafeMutablePointer<UInt64>
    private let values: UnsafeMutablePointer<String>

    init() {
        hashes = .allocate(capacity: Self.slots)
        hashes.initialize(repeating: 0, count: Self.slots)
        values = .allocate(capacity: Self.slots)
        values.initialize(repeating: "", count: Self.slots)
    }

    deinit {
        hashes.deallocate()
        values.deinitialize(count: Self.slots)
        values.deallocate()
    }

    /// The longest value the table keeps: it holds at most `slots` values alive, so its memory stays bounded
    /// (~256 KiB a worker) whatever the lines hold; longer values are made each time, as before.
    static let maxLength = 256

    /// `String(decoding: v, as: UTF8.self)`, shared with the last value of the same bytes when the table holds it.
    func string(_ v: UnsafeBufferPointer<UInt8>) -> String {
        guard v.count > 15, v.count <= Self.maxLength else { return String(decoding: v, as: UTF8.self) }
        return string(v, hash: RequestIDHash.hash(UnsafeRawBufferPointer(v)))
    }

    /// `string(v)` for a caller that has `RequestIDHash.hash` of `v` already.
    func string(_ v: UnsafeBufferPointer<UInt8>, hash h: UInt64) -> String {
        guard v.count > 15, v.count <= Self.maxLength else { return String(decoding: v, as: UTF8.self) }
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
