import CZlib

/// Reads a gzip member's header (RFC 1952: the fixed ten bytes, then the extra field, file name, comment and
/// header CRC its flags announce) from bytes that may arrive a few at a time, and refuses what zlib refuses:
/// another magic number, a method other than deflate, reserved flags, a header CRC that does not match.
/// `GzipSource` reads headers here and hands igzip the deflate data and trailer alone: igzip's own header
/// reader (ISA-L 2.30) fails a header CRC that arrives across reads.
struct GzipHeaderReader {
    private enum Part { case fixed, extraLength, extra, name, comment, headerCRC, done }
    private var part = Part.fixed
    /// Bytes read of the current fixed-size part, and their value (little-endian) where it is a number.
    private var count = 0
    private var value = 0
    private var flags: UInt8 = 0
    private var extraLeft = 0
    /// CRC-32 of the header's bytes so far (kept when the flags announce a header CRC).
    private var crc: UInt = 0

    /// True once the whole header is read.
    var isDone: Bool { part == .done }

    /// Reads header bytes from `p`; returns how many it used (it stops at the header's end), or the reason the
    /// header is refused.
    mutating func read(_ p: UnsafeBufferPointer<UInt8>) -> Result<Int, GzipHeaderError> {
        var i = 0
        while i < p.count && part != .done {
            let b = p[i]
            if part == .headerCRC {
                value |= Int(b) << (8 * count)
                count += 1
                i += 1
                if count == 2 {
                    guard value == Int(crc & 0xFFFF) else { return .failure(.init(reason: "header crc mismatch")) }
                    part = .done
                }
                continue
            }
            if flags & 0x02 != 0 || part == .fixed {
                withUnsafePointer(to: b) { crc = crc32(crc, $0, 1) }
            }
            i += 1
            switch part {
            case .fixed:
                switch count {
                case 0 where b != 0x1F, 1 where b != 0x8B: return .failure(.init(reason: "incorrect header check"))
                case 2 where b != 8: return .failure(.init(reason: "unknown compression method"))
                case 3:
                    guard b & 0xE0 == 0 else { return .failure(.init(reason: "unknown header flags set")) }
                    flags = b
                default: break
                }
                count += 1
                if count == 10 { next(after: .fixed) }
            case .extraLength:
                value |= Int(b) << (8 * count)
                count += 1
                if count == 2 {
                    extraLeft = value
                    if extraLeft == 0 { next(after: .extra) } else { part = .extra }
                }
            case .extra:
                extraLeft -= 1
                if extraLeft == 0 { next(after: .extra) }
            case .name: if b == 0 { next(after: .name) }
            case .comment: if b == 0 { next(after: .comment) }
            case .headerCRC, .done: break
            }
        }
        return .success(i)
    }

    /// Moves to the first part after `done` the flags announce.
    private mutating func next(after done: Part) {
        count = 0
        value = 0
        let order: [(Part, UInt8)] = [(.extraLength, 0x04), (.name, 0x08), (.comment, 0x10), (.headerCRC, 0x02)]
        let from: Int
        switch done {
        case .fixed: from = 0
        case .extraLength, .extra: from = 1
        case .name: from = 2
        case .comment: from = 3
        case .headerCRC, .done: from = 4
        }
        part = order[from...].first { flags & $0.1 != 0 }?.0 ?? .done
    }
}

/// Why a gzip header is refused, in zlib's words.
struct GzipHeaderError: Error {
    var reason: String
}
