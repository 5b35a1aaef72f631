/// An open-addressing map from byte strings to values, looked up straight from a buffer (no String made).
struct ByteKeyTable<Value: Sendable>: Sendable {
    private var keys: [[UInt8]] = []
    private var values: [Value] = []
    private var slots: [Int32]
    private let mask: Int

    init(_ pairs: [(String, Value)]) {
        var size = 16
        while size < pairs.count * 4 { size <<= 1 }
        slots = Array(repeating: -1, count: size)
        mask = size - 1
        for (k, v) in pairs where lookupBytes(Array(k.utf8)) == nil {
            let bytes = Array(k.utf8)
            var h = bytes.withUnsafeBufferPointer { Self.hash($0) } & mask
            while slots[h] >= 0 { h = (h + 1) & mask }
            slots[h] = Int32(keys.count)
            keys.append(bytes)
            values.append(v)
        }
    }

    @inline(__always)
    static func hash(_ p: UnsafeBufferPointer<UInt8>) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in p { h = (h ^ UInt64(c)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    private func lookupBytes(_ k: [UInt8]) -> Value? {
        k.withUnsafeBufferPointer { lookup($0) }
    }

    /// The value stored for exactly these bytes.
    @inline(__always)
    func lookup(_ p: UnsafeBufferPointer<UInt8>) -> Value? {
        var h = Self.hash(p) & mask
        while true {
            let s = Int(slots[h])
            if s < 0 { return nil }
            let k = keys[s]
            if k.count == p.count
                && k.withUnsafeBufferPointer({ kb in
                    for i in 0..<kb.count where kb[i] != p[i] { return false }
                    return true
                })
            {
                return values[s]
            }
            h = (h + 1) & mask
        }
    }
}
