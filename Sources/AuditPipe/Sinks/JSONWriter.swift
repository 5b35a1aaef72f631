/// Appends JSON text to a byte buffer: strings escaped per RFC 8259, values written in member order.
///
/// The bytes live in one allocation written through its pointer: an event is some forty small appends, and
/// `Array.append(contentsOf:)` cost ~150 instructions each. Copies of a writer share the allocation until one
/// of them writes (it then takes its own), so a writer keeps value semantics.
public struct JSONWriter: @unchecked Sendable {
    /// Owns the allocation: shared by copies of the writer, freed with the last of them.
    private final class Allocation {
        let base: UnsafeMutablePointer<UInt8>
        let capacity: Int

        init(capacity: Int) {
            self.capacity = capacity
            base = .allocate(capacity: capacity)
        }

        deinit { base.deallocate() }
    }

    private var allocation: Allocation
    private var base: UnsafeMutablePointer<UInt8>
    private var used = 0
    /// True inside `withOwnBytes`, whose writer holds its allocation alone: its writes skip the uniqueness check.
    private var owned = false

    /// Creates a writer with reserved capacity.
    public init(capacity: Int = 4096) {
        allocation = Allocation(capacity: Swift.max(capacity, 16))
        base = allocation.base
    }

    /// The bytes written so far (a copy; `withBytes` reads them in place).
    public var bytes: [UInt8] {
        get { Array(UnsafeBufferPointer(start: base, count: used)) }
        set {
            removeAll()
            newValue.withUnsafeBufferPointer { append($0) }
        }
    }

    /// How many bytes are written.
    public var count: Int { used }

    /// Calls `body` with the bytes written so far, in place.
    public func withBytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        try withExtendedLifetime(allocation) { () throws(E) -> R in
            try body(UnsafeBufferPointer(start: base, count: used))
        }
    }

    /// Forgets what was written, keeping the allocation.
    public mutating func removeAll() {
        if !isKnownUniquelyReferenced(&allocation) {
            allocation = Allocation(capacity: allocation.capacity)
            base = allocation.base
        }
        used = 0
    }

    /// Room for `n` more bytes in an allocation this writer alone holds; returns where they go.
    @inline(__always)
    private mutating func reserve(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if _slowPath((!owned && !isKnownUniquelyReferenced(&allocation)) || allocation.capacity - used < n) {
            regrow(n)
        }
        return base + used
    }

    /// Runs `body` on this writer with its allocation made its own once, so the writes in `body` skip the check
    /// each write makes otherwise (an event is some eighty writes, each check a call into the runtime). `body`
    /// must not copy the writer: a copy would share the allocation unchecked.
    mutating func withOwnBytes<R>(_ body: (inout JSONWriter) -> R) -> R {
        if !isKnownUniquelyReferenced(&allocation) { regrow(0) }
        owned = true
        defer { owned = false }
        return body(&self)
    }

    private mutating func regrow(_ n: Int) {
        var capacity = allocation.capacity
        while capacity - used < n { capacity *= 2 }
        let next = Allocation(capacity: capacity)
        next.base.initialize(from: base, count: used)
        allocation = next
        base = next.base
    }

    /// Appends one byte.
    @inline(__always)
    public mutating func append(_ byte: UInt8) {
        reserve(1).initialize(to: byte)
        used += 1
    }

    /// Appends bytes.
    @inline(__always)
    public mutating func append(_ b: UnsafeBufferPointer<UInt8>) {
        guard let source = b.baseAddress, !b.isEmpty else { return }
        reserve(b.count).initialize(from: source, count: b.count)
        used += b.count
    }

    /// Appends the bytes of a collection (an array, a slice, a string's UTF-8).
    public mutating func append<C: Collection>(contentsOf c: C) where C.Element == UInt8 {
        if c.withContiguousStorageIfAvailable({ append($0) }) != nil { return }
        let p = reserve(c.count)
        var i = 0
        for byte in c {
            (p + i).initialize(to: byte)
            i += 1
        }
        used += i
    }

    /// Appends raw ASCII text (punctuation, keys known to need no escaping).
    @inline(__always)
    public mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { append($0) }
    }

    /// Appends `"key":`.
    @inline(__always)
    public mutating func key(_ s: StaticString) {
        append(UInt8(ascii: "\""))
        s.withUTF8Buffer { append($0) }
        append(UInt8(ascii: "\""))
        append(UInt8(ascii: ":"))
    }

    /// Appends a quoted, escaped string.
    public mutating func string(_ s: String) {
        s.withUTF8Bytes { string(bytes: $0) }
    }

    /// Appends a quoted string or `null`.
    public mutating func stringOrNull(_ s: String?) {
        if let s { string(s) } else { raw("null") }
    }

    /// Appends an integer.
    public mutating func int(_ v: Int) {
        if v == 0 {
            append(48)
            return
        }
        var v = v
        if v < 0 {
            append(UInt8(ascii: "-"))
            if v == Int.min {
                raw("9223372036854775808")
                return
            }
            v = -v
        }
        var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &tmp) { p in
            var i = 24
            while v > 0 {
                i -= 1
                p[i] = UInt8(48 + v % 10)
                v /= 10
            }
            append(UnsafeBufferPointer(rebasing: p.bindMemory(to: UInt8.self)[i..<24]))
        }
    }

    /// Appends an integer or `null`.
    public mutating func intOrNull(_ v: Int?) {
        if let v { int(v) } else { raw("null") }
    }

    /// Appends a UTC time as an RFC 3339 string with milliseconds.
    public mutating func time(_ ns: Int64) {
        var text: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let n = withUnsafeMutableBytes(of: &text) { UTCTime.writeRFC3339Millis(ns, to: $0.bindMemory(to: UInt8.self)) }
        append(UInt8(ascii: "\""))
        withUnsafeBytes(of: &text) { append(UnsafeBufferPointer(rebasing: $0.bindMemory(to: UInt8.self)[..<n])) }
        append(UInt8(ascii: "\""))
    }

    /// Appends a JSON value.
    public mutating func value(_ v: JSONValue) {
        switch v {
        case .null: raw("null")
        case .bool(let b): if b { raw("true") } else { raw("false") }
        case .number(let n): var n = n; n.withUTF8 { append($0) }
        case .string(let s): string(s)
        case .array(let items):
            append(UInt8(ascii: "["))
            var first = true
            items.readEachInPlace { item in
                if !first { append(UInt8(ascii: ",")) }
                first = false
                value(item)
            }
            append(UInt8(ascii: "]"))
        case .object(let members):
            object(members)
        }
    }

    /// Appends an object from its members, in order.
    public mutating func object(_ members: [JSONMember]) {
        append(UInt8(ascii: "{"))
        var first = true
        members.readEachInPlace { m in
            if !first { append(UInt8(ascii: ",")) }
            first = false
            string(m.key)
            append(UInt8(ascii: ":"))
            value(m.value)
        }
        append(UInt8(ascii: "}"))
    }

    /// Appends a quoted string from UTF-8 bytes, escaping `"`, `\` and control characters.
    public mutating func string(bytes s: UnsafeBufferPointer<UInt8>) {
        let n = s.count
        guard let src = s.baseAddress else {
            raw("\"\"")
            return
        }
        var i = Self.firstStop(s, from: 0)
        if i == n {
            // Nothing to escape (most strings): one copy between the quotes.
            let p = reserve(n + 2)
            p.initialize(to: 0x22)
            (p + 1).initialize(from: src, count: n)
            (p + n + 1).initialize(to: 0x22)
            used += n + 2
            return
        }
        // Room for exactly what is written (a first pass counts what each escape adds: a long value with one
        // quote must not reserve six times its length), written through the pointer.
        var added = 0
        var k = i
        while k < n {
            switch s[k] {
            case 0x22, 0x5C, 0x0A, 0x0D, 0x09, 0x08, 0x0C: added += 1
            default: added += 5
            }
            k = Self.firstStop(s, from: k + 1)
        }
        let p = reserve(n + added + 2)
        p.initialize(to: 0x22)
        var q = p + 1
        var runStart = 0
        let hex: StaticString = "0123456789abcdef"
        while true {
            q.initialize(from: src + runStart, count: i - runStart)
            q += i - runStart
            guard i < n else { break }
            let c = s[i]
            q.initialize(to: 0x5C)
            switch c {
            case 0x22: (q + 1).initialize(to: 0x22)
            case 0x5C: (q + 1).initialize(to: 0x5C)
            case 0x0A: (q + 1).initialize(to: UInt8(ascii: "n"))
            case 0x0D: (q + 1).initialize(to: UInt8(ascii: "r"))
            case 0x09: (q + 1).initialize(to: UInt8(ascii: "t"))
            case 0x08: (q + 1).initialize(to: UInt8(ascii: "b"))
            case 0x0C: (q + 1).initialize(to: UInt8(ascii: "f"))
            default:
                (q + 1).initialize(to: UInt8(ascii: "u"))
                (q + 2).initialize(to: 48)
                (q + 3).initialize(to: 48)
                hex.withUTF8Buffer {
                    (q + 4).initialize(to: $0[Int(c >> 4)])
                    (q + 5).initialize(to: $0[Int(c & 15)])
                }
                q += 4
            }
            q += 2
            runStart = i + 1
            i = Self.firstStop(s, from: runStart)
        }
        q.initialize(to: 0x22)
        assert(p.distance(to: q) + 1 == n + added + 2, "the escapes were counted short")
        used += p.distance(to: q) + 1
    }

    /// Where, at or after `i`, the first byte a JSON string must escape is (`"`, `\\` or below 0x20), or
    /// `s.count`: eight bytes a word, the last fewer than eight read into one word padded with a plain byte.
    @inline(__always)
    static func firstStop(_ s: UnsafeBufferPointer<UInt8>, from i: Int) -> Int {
        let n = s.count
        var i = JSONScanner.skipPlain(s, from: i)
        guard i < n, let base = s.baseAddress else { return n }
        if n - i >= 8 { return i }
        // The last one to seven bytes read as one word (a `copyMemory` into a padded word was a call to
        // `memcpy` per string written), the bytes above them plain `A`s.
        let word = RequestIDHash.shortWord(base + i, n - i) | 0x4141_4141_4141_4141 &<< (8 * (n - i))
        let stops = JSONScanner.stopMask(word)
        guard stops != 0 else { return n }
        i += stops.trailingZeroBitCount >> 3
        return i
    }
}
