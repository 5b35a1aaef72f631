/// A fast 64-bit hash of a request id, computed once when a record's id is set and carried with the record,
/// so the correlator's tables never hash the id again. Ids that are equal as Swift strings (canonically
/// equivalent) hash alike: ASCII ids are hashed as they are, others by their NFC bytes. The value is
/// process-local: it is never written to a checkpoint or an output.
enum RequestIDHash {
    /// The hash of `id`, or 0 when there is none.
    static func of(_ id: String?) -> UInt64 {
        guard let id else { return 0 }
        let ascii = id.utf8.withContiguousStorageIfAvailable { b -> UInt64? in
            isASCII(UnsafeRawBufferPointer(b)) ? hash(UnsafeRawBufferPointer(b)) : nil
        }
        if let ascii, let h = ascii { return h }
        var nfc: [UInt8] = []
        nfc.reserveCapacity(id.utf8.count)
        id._withNFCCodeUnits { nfc.append($0) }
        return nfc.withUnsafeBytes { hash($0) }
    }

    /// A word-at-a-time multiply-xor hash of `bytes`, finished with MurmurHash3's 64-bit mix.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h = words(bytes)
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h = h &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }

    /// `hash` without its final mix: what a short key's table lookup needs (`ByteKeyTable`), a few instructions
    /// cheaper a key.
    @inline(__always)
    static func words(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let n = bytes.count
        var h: UInt64 = 0x243F_6A88_85A3_08D3 ^ (UInt64(n) &* 0x9E37_79B9_7F4A_7C15)
        var i = 0
        while i + 8 <= n {
            let w = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            h = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
            i += 8
        }
        if i < n {
            // The last one to seven bytes as one word (little-endian): the word ending the key, shifted, when
            // there is one before them; otherwise read in at most three loads (a loop a byte cost ~9
            // instructions a byte on the parsers' short keys).
            let w: UInt64
            if n >= 8 {
                let last = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self))
                w = last &>> (64 - 8 * (n - i))
            } else {
                w = shortWord(bytes.baseAddress!, n)
            }
            h = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
        }
        return h
    }

    /// The `n` bytes at `p` (1 to 7) as one little-endian word, the bytes above them zero; reads only those bytes.
    @inline(__always)
    static func shortWord(_ p: UnsafeRawPointer, _ n: Int) -> UInt64 {
        if n >= 4 {
            // Two loads of four that overlap when n < 8: the shared bytes land on the same bits.
            let low = UInt64(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)))
            let high = UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)))
            return low | high &<< (8 * (n - 4))
        }
        let b = p.assumingMemoryBound(to: UInt8.self)
        return UInt64(b[0]) | UInt64(b[n >> 1]) &<< (8 * (n >> 1)) | UInt64(b[n - 1]) &<< (8 * (n - 1))
    }

    /// True when no byte has its high bit set.
    static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let n = bytes.count
        var i = 0
        var any: UInt64 = 0
        while i + 8 <= n {
            any |= bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < n {
            any |= UInt64(bytes[i])
            i += 1
        }
        return any & 0x8080_8080_8080_8080 == 0
    }
}
