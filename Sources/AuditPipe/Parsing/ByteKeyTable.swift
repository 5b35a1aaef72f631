/// An open-addressing map from byte strings to values, looked up straight from a buffer (no String made).
///
/// Built once (field names, header names, capture names) and read for every key of every line, so a lookup is
/// one hash of the key read eight bytes at a time, probes that compare 64-bit hashes, and one comparison of the
/// bytes where a hash matches; the keys lie in one block of bytes (an array per key cost a retain and a release a probe).
struct ByteKeyTable<Value: Sendable>: Sendable {
    private let store: ByteKeyStore
    private let values: [Value]

    init(_ pairs: [(String, Value)]) {
        var kept: [[UInt8]] = []
        var values: [Value] = []
        var seen = Set<[UInt8]>()
        for (k, v) in pairs where seen.insert(Array(k.utf8)).inserted {
            kept.append(Array(k.utf8))
            values.append(v)
        }
        store = ByteKeyStore(kept)
        self.values = values
    }

    /// The hash a lookup probes with: `RequestIDHash.words` of the bytes, its high half folded onto the low one
    /// (the slot is the low bits), never 0 (0 marks an empty slot).
    @inline(__always)
    static func hash(_ p: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let h = RequestIDHash.words(UnsafeRawBufferPointer(p))
        return (h ^ h >> 32) | 1
    }

    /// The value stored for exactly these bytes.
    @inline(__always)
    func lookup(_ p: UnsafeBufferPointer<UInt8>) -> Value? {
        guard let index = store.index(of: p, hash: Self.hash(p)) else { return nil }
        return values[index]
    }
}

/// The keys of a `ByteKeyTable`: slots of (hash, key index) and the keys' bytes in one block. Never changed after
/// `init`, so shared by every copy of the table and every task that reads it.
final class ByteKeyStore: @unchecked Sendable {
    private let slotHashes: UnsafeMutablePointer<UInt64>
    private let slotKeys: UnsafeMutablePointer<Int32>
    /// Where key `k`'s bytes start in `bytes` (`starts[k + 1]` is where they end).
    private let starts: UnsafeMutablePointer<Int32>
    private let bytes: UnsafeMutablePointer<UInt8>
    private let mask: Int
    private let slotCount: Int

    /// Stores `keys` (distinct) under their indices.
    init(_ keys: [[UInt8]]) {
        var size = 16
        while size < keys.count * 4 { size <<= 1 }
        slotCount = size
        mask = size - 1
        slotHashes = .allocate(capacity: size)
        slotHashes.initialize(repeating: 0, count: size)
        slotKeys = .allocate(capacity: size)
        slotKeys.initialize(repeating: -1, count: size)
        let total = keys.reduce(0) { $0 + $1.count }
        bytes = .allocate(capacity: max(total, 1))
        starts = .allocate(capacity: keys.count + 1)
        var at = 0
        for (k, key) in keys.enumerated() {
            starts[k] = Int32(at)
            key.withUnsafeBufferPointer { b in
                if let src = b.baseAddress { (bytes + at).initialize(from: src, count: b.count) }
                let h = ByteKeyTable<Int>.hash(b)
                var slot = Int(truncatingIfNeeded: h) & mask
                while slotHashes[slot] != 0 { slot = (slot + 1) & mask }
                slotHashes[slot] = h
                slotKeys[slot] = Int32(k)
            }
            at += key.count
        }
        starts[keys.count] = Int32(at)
    }

    deinit {
        slotHashes.deallocate()
        slotKeys.deallocate()
        starts.deallocate()
        bytes.deallocate()
    }

    /// True when `count` bytes at `a` and `b` are equal: eight at a time, the last fewer than eight as one word
    /// (keys are a few bytes: a call to `memcmp` cost more than the comparison, and a loop a byte ~5
    /// instructions a byte).
    @inline(__always)
    private static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>?, _ count: Int) -> Bool {
        guard count > 0, let b else { return true }
        let x = UnsafeRawPointer(a)
        let y = UnsafeRawPointer(b)
        if count < 8 { return RequestIDHash.shortWord(x, count) == RequestIDHash.shortWord(y, count) }
        var i = 0
        while i + 8 <= count {
            if x.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                != y.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            {
                return false
            }
            i += 8
        }
        // The last eight bytes, which overlap the words compared when the count is no multiple of eight.
        return i == count
            || x.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                == y.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
    }

    /// The index of the key whose bytes are `p` (its hash `h`), or nil.
    @inline(__always)
    func index(of p: UnsafeBufferPointer<UInt8>, hash h: UInt64) -> Int? {
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let stored = slotHashes[slot]
            if stored == 0 { return nil }
            if stored == h {
                let k = Int(slotKeys[slot])
                let start = Int(starts[k])
                let count = Int(starts[k + 1]) - start
                if count == p.count && Self.equal(bytes + start, p.baseAddress, count) { return k }
            }
            slot = (slot + 1) & mask
        }
    }
}
