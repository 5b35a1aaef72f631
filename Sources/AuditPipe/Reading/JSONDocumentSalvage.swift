/// What can be read of a JSON document that does not parse whole (cut short, one record nested too deep, a stray
/// byte): the records of its record array one by one, each as a compact line; a record that does not parse, and
/// the rest of a document cut short, as a line of its own (its newlines made spaces), which the line parser then
/// dead-letters with its reason. Before, the whole document went on line by line, and its indented lines were
/// taken for one text record's continuation: every record lost, no dead letter.
struct JSONDocumentSalvage {
    /// The keys whose array holds a document's records (CloudTrail, Frappe REST, Kubernetes `EventList`; HAR's
    /// `entries` is under `log`).
    static let recordArrays: Set<String> = ["Records", "data", "items"]

    /// The bytes that end a scalar.
    static let separators: Set<UInt8> = [
        UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), 0x20, 0x09, 0x0A, 0x0D,
    ]

    private var s: JSONScanner
    private(set) var lines: [UInt8] = []

    /// Salvages the document in `bytes` into `lines`.
    static func lines(of bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) -> [UInt8] {
        var salvage = JSONDocumentSalvage(s: JSONScanner(bytes, maxDepth: maxDepth))
        salvage.documents()
        return salvage.lines
    }

    private init(s: JSONScanner) { self.s = s }

    /// Every document in a row: each whole, or its record array record by record.
    private mutating func documents() {
        s.skipWhitespace()
        if s.pos + 3 <= s.b.count, s.b[s.pos] == 0xEF, s.b[s.pos + 1] == 0xBB, s.b[s.pos + 2] == 0xBF { s.pos += 3 }
        while true {
            s.skipWhitespace()
            guard let c = s.peek else { return }
            let start = s.pos
            if let document = try? s.parseValue(depth: 0) {
                var w = JSONWriter(capacity: s.pos - start)
                for r in JSONDocumentSource.records(of: document) {
                    w.value(r)
                    w.raw("\n")
                }
                lines += w.bytes
                continue
            }
            s.pos = start
            let whole: Bool
            if c == UInt8(ascii: "[") {
                whole = array()
            } else if c == UInt8(ascii: "{") {
                whole = object()
            } else {
                whole = bad(from: start)
            }
            guard whole else { return }
        }
    }

    /// The array at the cursor, element by element; false when the document ends inside it (the rest handed on).
    private mutating func array() -> Bool {
        s.pos += 1
        while true {
            s.skipWhitespace()
            guard let c = s.peek else { return bad(from: s.pos) }
            if c == UInt8(ascii: "]") {
                s.pos += 1
                return true
            }
            let start = s.pos
            if let record = try? s.parseValue(depth: 0) {
                var w = JSONWriter(capacity: s.pos - start)
                w.value(record)
                w.raw("\n")
                lines += w.bytes
            } else {
                s.pos = start
                guard bad(from: start) else { return false }
            }
            s.skipWhitespace()
            guard let next = s.peek else { return bad(from: s.pos) }
            if next == UInt8(ascii: ",") {
                s.pos += 1
            } else if next != UInt8(ascii: "]") {
                return bad(from: s.pos, toTheEnd: true)
            }
        }
    }

    /// The object at the cursor: a record array member (or HAR's `log`) read record by record, other members
    /// skipped; an object with none is one bad record. False when the document ends inside it.
    private mutating func object() -> Bool {
        let start = s.pos
        s.pos += 1
        var found = false
        while true {
            s.skipWhitespace()
            guard let c = s.peek else { return found ? bad(from: s.pos) : bad(from: start) }
            if c == UInt8(ascii: "}") {
                s.pos += 1
                if !found { lines += Self.line(s.b[start..<s.pos]) }
                return true
            }
            guard c == 0x22, let key = try? s.scanString(), (try? s.expect(UInt8(ascii: ":"))) != nil else {
                return found ? bad(from: s.pos, toTheEnd: true) : bad(from: start)
            }
            s.skipWhitespace()
            let name = s.decode(key)
            if Self.recordArrays.contains(name), s.peek == UInt8(ascii: "[") {
                found = true
                guard array() else { return false }
            } else if name == "log" || name == "entries", s.peek == UInt8(ascii: "{") || s.peek == UInt8(ascii: "[") {
                found = true
                guard s.peek == UInt8(ascii: "[") ? array() : object() else { return false }
            } else {
                guard let end = Self.end(of: s.b, from: s.pos) else { return bad(from: found ? s.pos : start) }
                s.pos = end
            }
            s.skipWhitespace()
            guard let next = s.peek else { return found ? bad(from: s.pos) : bad(from: start) }
            if next == UInt8(ascii: ",") {
                s.pos += 1
            } else if next != UInt8(ascii: "}") {
                return found ? bad(from: s.pos, toTheEnd: true) : bad(from: start)
            }
        }
    }

    /// Hands on the value at `start` as one line to be dead-lettered, and moves past it; true when it ended (the
    /// document goes on), false when it ran to the document's end (or `toTheEnd`: the rest is handed on whole).
    private mutating func bad(from start: Int, toTheEnd: Bool = false) -> Bool {
        if !toTheEnd, let end = Self.end(of: s.b, from: start) {
            lines += Self.line(s.b[start..<end])
            s.pos = end
            return true
        }
        let rest = s.b[start...]
        if rest.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) { lines += Self.line(rest) }
        s.pos = s.b.count
        return false
    }

    /// `bytes` as one line: newlines (whitespace between JSON tokens; a string cannot hold one) made spaces.
    private static func line(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> [UInt8] {
        var out = bytes.map { $0 == 0x0A || $0 == 0x0D ? 0x20 : $0 }
        out.append(0x0A)
        return out
    }

    /// The index just past the value starting at `start`, found by its brackets and strings alone (no depth cap,
    /// no recursion); nil when the bytes end first.
    static func end(of b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start < b.count else { return nil }
        var i = start
        if b[i] != UInt8(ascii: "{") && b[i] != UInt8(ascii: "[") && b[i] != 0x22 {
            // A scalar (or a stray byte): up to the next separator.
            i += 1
            while i < b.count, !Self.separators.contains(b[i]) { i += 1 }
            return i
        }
        var depth = 0
        repeat {
            guard i < b.count else { return nil }
            switch b[i] {
            case 0x22:
                i += 1
                while i < b.count, b[i] != 0x22 { i += b[i] == 0x5C ? 2 : 1 }
                guard i < b.count else { return nil }
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
            i += 1
        } while depth > 0
        return i
    }
}
