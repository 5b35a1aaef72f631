/// The roles of a `FieldRoleTable`'s names of 1 to 16 bytes, looked up by a key's bytes read as two words and
/// its length: no hash of the bytes and no byte comparison (`ByteKeyTable` cost ~80 instructions a key).
///
/// A key of up to 16 bytes is its first eight bytes (the bytes above a shorter key zero), its last eight (0 when
/// it has eight or fewer) and its length; the table holds every name of that size, so a key it lacks has no
/// role. Open addressing, one slot a probe; never changed after `init`, so shared by every copy.
final class ShortKeyRoles: @unchecked Sendable {
    /// One name: its two words and length (0 marks an empty slot) and its role.
    private struct Slot {
        var first: UInt64
        var last: UInt64
        var count: Int
        var role: FieldRole
    }

    /// The longest name the table holds, in bytes.
    static let longest = 16
    private static let bits = 10
    private let slots: UnsafeMutablePointer<Slot>

    /// Holds the names of `pairs` of 1 to 16 bytes; of a name given twice, the first role (as `ByteKeyTable`).
    init(_ pairs: [(String, FieldRole)]) {
        let size = 1 << Self.bits
        slots = .allocate(capacity: size)
        slots.initialize(repeating: Slot(first: 0, last: 0, count: 0, role: .container), count: size)
        for (name, role) in pairs {
            var name = name
            name.withUTF8 { b in
                guard b.count >= 1, b.count <= Self.longest, let p = b.baseAddress else { return }
                let (first, last) = Self.words(UnsafeRawPointer(p), b.count)
                var slot = Self.slot(first, last, b.count)
                while slots[slot].count != 0 {
                    if slots[slot].count == b.count && slots[slot].first == first && slots[slot].last == last {
                        return
                    }
                    slot = (slot + 1) & (size - 1)
                }
                slots[slot] = Slot(first: first, last: last, count: b.count, role: role)
            }
        }
    }

    deinit { slots.deallocate() }

    /// The first and last words of the `n` bytes (1 to 16) at `p`, reading only those bytes.
    @inline(__always)
    static func words(_ p: UnsafeRawPointer, _ n: Int) -> (UInt64, UInt64) {
        if n < 8 { return (RequestIDHash.shortWord(p, n), 0) }
        let first = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
        if n == 8 { return (first, 0) }
        return (first, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)))
    }

    @inline(__always)
    private static func slot(_ first: UInt64, _ last: UInt64, _ n: Int) -> Int {
        let h = (first &+ last &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(n)) &* 0xFF51_AFD7_ED55_8CCD
        return Int(truncatingIfNeeded: h >> UInt64(64 - bits))
    }

    /// The role of the name whose words and length (1 to 16) are these, or nil.
    @inline(__always)
    func role(first: UInt64, last: UInt64, count n: Int) -> FieldRole? {
        var slot = Self.slot(first, last, n)
        while true {
            let s = slots[slot]
            if s.first == first && s.last == last && s.count == n { return s.role }
            if s.count == 0 { return nil }
            slot = (slot + 1) & ((1 << Self.bits) - 1)
        }
    }

    /// The role of the `n` bytes (1 to 16) at `start` of `line`: a key of fewer than eight bytes is read as one
    /// word and masked when `line` holds eight bytes from `start`.
    @inline(__always)
    func role(in line: UnsafeBufferPointer<UInt8>, at start: Int, count n: Int) -> FieldRole? {
        let p = UnsafeRawPointer(line.baseAddress! + start)
        if n < 8 && start + 8 <= line.count {
            let w = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
            return role(first: w & (UInt64.max >> UInt64(64 - 8 * n)), last: 0, count: n)
        }
        let (first, last) = Self.words(p, n)
        return role(first: first, last: last, count: n)
    }
}
