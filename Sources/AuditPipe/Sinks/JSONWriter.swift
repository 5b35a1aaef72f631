/// Appends JSON text to a byte buffer: strings escaped per RFC 8259, values written in member order.
public struct JSONWriter {
    /// The bytes written so far.
    public var bytes: [UInt8]

    /// Creates a writer with reserved capacity.
    public init(capacity: Int = 4096) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Appends raw ASCII text (punctuation, keys known to need no escaping).
    @inline(__always)
    public mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends `"key":`.
    @inline(__always)
    public mutating func key(_ s: StaticString) {
        bytes.append(UInt8(ascii: "\""))
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// Appends a quoted, escaped string.
    public mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { string(bytes: $0) }
    }

    /// Appends a quoted string or `null`.
    public mutating func stringOrNull(_ s: String?) {
        if let s { string(s) } else { raw("null") }
    }

    /// Appends an integer.
    public mutating func int(_ v: Int) {
        if v == 0 {
            bytes.append(48)
            return
        }
        var v = v
        if v < 0 {
            bytes.append(UInt8(ascii: "-"))
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
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[i..<24]))
        }
    }

    /// Appends an integer or `null`.
    public mutating func intOrNull(_ v: Int?) {
        if let v { int(v) } else { raw("null") }
    }

    /// Appends a UTC time as an RFC 3339 string with milliseconds.
    public mutating func time(_ ns: Int64) {
        bytes.append(UInt8(ascii: "\""))
        UTCTime.appendRFC3339Millis(ns, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends a JSON value.
    public mutating func value(_ v: JSONValue) {
        switch v {
        case .null: raw("null")
        case .bool(let b): if b { raw("true") } else { raw("false") }
        case .number(let n): var n = n; n.withUTF8 { bytes.append(contentsOf: $0) }
        case .string(let s): string(s)
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                value(item)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            object(members)
        }
    }

    /// Appends an object from its members, in order.
    public mutating func object(_ members: [JSONMember]) {
        bytes.append(UInt8(ascii: "{"))
        for (i, m) in members.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            string(m.key)
            bytes.append(UInt8(ascii: ":"))
            value(m.value)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Appends a quoted string from UTF-8 bytes, escaping `"`, `\` and control characters.
    public mutating func string(bytes s: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        var runStart = 0
        var i = 0
        let n = s.count
        while i < n {
            // Eight bytes at a time past those that need no escape: the bytes a JSON string cannot hold as written
            // are the ones its scan stops at.
            i = JSONScanner.skipPlain(s, from: i)
            guard i < n else { break }
            let c = s[i]
            if c >= 0x20 && c != 0x22 && c != 0x5C {
                i += 1
                continue
            }
            if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: s[runStart..<i])) }
            bytes.append(UInt8(ascii: "\\"))
            switch c {
            case 0x22: bytes.append(0x22)
            case 0x5C: bytes.append(0x5C)
            case 0x0A: bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "t"))
            case 0x08: bytes.append(UInt8(ascii: "b"))
            case 0x0C: bytes.append(UInt8(ascii: "f"))
            default:
                let hex: StaticString = "0123456789abcdef"
                bytes.append(UInt8(ascii: "u"))
                bytes.append(48)
                bytes.append(48)
                hex.withUTF8Buffer {
                    bytes.append($0[Int(c >> 4)])
                    bytes.append($0[Int(c & 15)])
                }
            }
            i += 1
            runStart = i
        }
        if runStart < n { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: s[runStart..<n])) }
        bytes.append(UInt8(ascii: "\""))
    }
}
