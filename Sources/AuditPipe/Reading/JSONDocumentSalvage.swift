/// What can be read of a JSON document that does not parse whole (cut short, a record nested too deep, a stray
/// byte or quote between records, text after it): the records of its record array one by one, each as a compact
/// line; each part that is not a record (a broken record, the rest of a document cut short, text after it) as a
/// `RejectedLine` that the line parser dead-letters with its reason. After a broken record the reader goes on at
/// the next record it can find (an object after a comma that parses whole and starts with the first key the
/// records before it started with), so one stray quote does not take the records after it along. Before, the
/// whole document went on line by line, and its indented lines were taken for one text record's continuation:
/// every record lost, no dead letter.
struct JSONDocumentSalvage {
    /// The keys whose array holds a document's records (CloudTrail, Frappe REST, Kubernetes `EventList`; HAR's
    /// `entries` is under `log`).
    static let recordArrays: Set<String> = ["Records", "data", "items"]

    /// The bytes that end a number or a literal.
    static let separators: Set<UInt8> = [
        UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), 0x20, 0x09, 0x0A, 0x0D,
    ]

    private var s: JSONScanner
    private var w: JSONWriter
    /// The first key of the records read so far (the next record is looked for by it after a broken one).
    private var firstKey: [UInt8]?

    /// Salvages the document in `bytes` into lines.
    static func lines(of bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) -> [UInt8] {
        var salvage = JSONDocumentSalvage(
            s: JSONScanner(bytes, maxDepth: maxDepth), w: JSONWriter(capacity: bytes.count))
        salvage.documents()
        return salvage.w.bytes
    }

    private init(s: JSONScanner, w: JSONWriter) {
        self.s = s
        self.w = w
    }

    /// Every document in a row: each whole, or its record array record by record; text between or after them is
    /// one rejected line up to the next line that starts a document.
    private mutating func documents() {
        s.skipWhitespace()
        if s.pos + 3 <= s.b.count, s.b[s.pos] == 0xEF, s.b[s.pos + 1] == 0xBB, s.b[s.pos + 2] == 0xBF { s.pos += 3 }
        while true {
            s.skipWhitespace()
            guard let c = s.peek else { return }
            let start = s.pos
            if let document = try? s.parseValue(depth: 0) {
                JSONDocumentSource.write(JSONDocumentSource.records(of: document), to: &w)
                continue
            }
            s.pos = start
            if c == UInt8(ascii: ",") {
                // A comma between documents: an array closed by a stray `]` goes on.
                s.pos += 1
                guard elements() else { return }
            } else if c == UInt8(ascii: "[") {
                guard array() else { return }
            } else if c == UInt8(ascii: "{") {
                guard object() else { return }
            } else {
                // Not a document: up to the next line that starts one.
                var end = start + 1
                while end < s.b.count, !Self.startsDocument(s.b, at: end) { end += 1 }
                reject(start..<end, "text that is not part of a JSON document")
                s.pos = end
            }
        }
    }

    /// True when a line starts at `i` with `{` or `[` (after blanks).
    private static func startsDocument(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        guard b[i] == UInt8(ascii: "{") || b[i] == UInt8(ascii: "[") else { return false }
        var j = i - 1
        while j >= 0, b[j] == 32 || b[j] == 9 { j -= 1 }
        return j < 0 || b[j] == 10 || b[j] == 13
    }

    /// The array at the cursor, element by element; false when the document ends inside it (the rest rejected).
    private mutating func array() -> Bool {
        s.pos += 1
        return elements()
    }

    /// An array's elements from the cursor to its `]` (consumed): true there, false when the document ends first.
    private mutating func elements() -> Bool {
        while true {
            s.skipWhitespace()
            guard let c = s.peek else { return false }
            if c == UInt8(ascii: "]") {
                s.pos += 1
                return true
            }
            let start = s.pos
            var failure = "JSON document cut short"
            do throws(JSONSyntaxError) {
                let record = try s.parseValue(depth: 0)
                // A whole record is kept whatever follows it (a missing comma, a stray byte: the next turn reads on
                // from there).
                _ = afterElement()
                if case .object(let members) = record, let key = members.first?.key { firstKey = Array(key.utf8) }
                JSONDocumentSource.write([record], to: &w)
                continue
            } catch {
                failure = "a record of a JSON document: \(error.reason) at column \(error.column - start + 1)"
            }
            // A record whose brackets still close (too deep, a bad value): it alone. Otherwise the next record that
            // can be found; else the rest, cut short or beyond repair.
            s.pos = start
            let next = nextRecord(after: start)
            // Its brackets' end, unless the next record starts before it (a stray quote turned strings inside out).
            if c == UInt8(ascii: "{") || c == UInt8(ascii: "["), let end = Self.end(of: s.b, from: start),
                next.map({ end <= $0 }) ?? true
            {
                s.pos = end
                if afterElement() || s.peek == nil {
                    reject(start..<end, failure)
                    continue
                }
                s.pos = start
            }
            if let next {
                var end = next
                while end > start, s.b[end - 1] == 32 || s.b[end - 1] == 9 || s.b[end - 1] == 10 || s.b[end - 1] == 13 {
                    end -= 1
                }
                if end > start, s.b[end - 1] == UInt8(ascii: ",") { end -= 1 }
                reject(start..<end, failure)
                s.pos = next
                continue
            }
            reject(start..<s.b.count, failure)
            s.pos = s.b.count
            return false
        }
    }

    /// After an element: true at `,` (consumed) or `]` (left for the loop).
    private mutating func afterElement() -> Bool {
        s.skipWhitespace()
        guard let c = s.peek else { return false }
        if c == UInt8(ascii: ",") {
            s.pos += 1
            return true
        }
        return c == UInt8(ascii: "]")
    }

    /// Where the next record starts after a broken one at `start`: an object, not a member's value, that parses
    /// whole, is followed by `,` or `]`, and starts with the records' first key (an object inside the broken record
    /// is not taken for one).
    private mutating func nextRecord(after start: Int) -> Int? {
        guard let key = firstKey else { return nil }
        var i = start + 1
        while i < s.b.count {
            defer { i += 1 }
            guard s.b[i] == UInt8(ascii: "{") else { continue }
            var j = i - 1
            while j > start, s.b[j] == 32 || s.b[j] == 9 || s.b[j] == 10 || s.b[j] == 13 { j -= 1 }
            // Not a member's value (an object inside the broken record).
            guard s.b[j] != UInt8(ascii: ":") else { continue }
            var k = i + 1
            while k < s.b.count, s.b[k] == 32 || s.b[k] == 9 || s.b[k] == 10 || s.b[k] == 13 { k += 1 }
            guard k + key.count + 2 <= s.b.count, s.b[k] == 0x22, s.b[k + 1 + key.count] == 0x22,
                s.b[(k + 1)..<(k + 1 + key.count)].elementsEqual(key)
            else { continue }
            let saved = s.pos
            s.pos = i
            let parses = (try? s.skipValue(depth: 0)) != nil && afterElementPeek()
            s.pos = saved
            if parses { return i }
        }
        return nil
    }

    /// `afterElement` without consuming: the next byte after blanks is `,` or `]`.
    private mutating func afterElementPeek() -> Bool {
        s.skipWhitespace()
        return s.peek == UInt8(ascii: ",") || s.peek == UInt8(ascii: "]")
    }

    /// The object at the cursor: a record array member (or HAR's `log`) read record by record, other members
    /// skipped; an object with none is one rejected record. False when the document ends inside it.
    private mutating func object() -> Bool {
        let start = s.pos
        s.pos += 1
        var found = false
        while true {
            s.skipWhitespace()
            guard let c = s.peek else { return found ? false : rest(from: start) }
            if c == UInt8(ascii: "}") {
                s.pos += 1
                if !found { reject(start..<s.pos, "a JSON document's object that does not parse") }
                return true
            }
            guard c == 0x22, let key = try? s.scanString(), (try? s.expect(UInt8(ascii: ":"))) != nil else {
                return found ? rest(from: s.pos) : whole(from: start)
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
                guard let end = Self.end(of: s.b, from: s.pos) else {
                    return found ? rest(from: s.pos) : rest(from: start)
                }
                s.pos = end
            }
            s.skipWhitespace()
            guard var next = s.peek else { return found ? false : rest(from: start) }
            // Records after a stray `]` (`},] {…}`): the array goes on.
            while found, next == UInt8(ascii: "{") {
                guard elements() else { return false }
                s.skipWhitespace()
                guard let after = s.peek else { return false }
                next = after
            }
            if next == UInt8(ascii: ",") {
                s.pos += 1
            } else if next != UInt8(ascii: "}") {
                return found ? rest(from: s.pos) : whole(from: start)
            }
        }
    }

    /// The object at `start` as one rejected record when its brackets close (the document goes on after it), else
    /// the rest.
    private mutating func whole(from start: Int) -> Bool {
        guard let end = Self.end(of: s.b, from: start) else { return rest(from: start) }
        reject(start..<end, "a JSON document's object that does not parse")
        s.pos = end
        return true
    }

    /// The rest of the document from `start` as one rejected line (when it is more than blanks); false.
    private mutating func rest(from start: Int) -> Bool {
        let rest = s.b[start...]
        if rest.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) {
            reject(start..<s.b.count, "JSON document cut short or beyond repair")
        }
        s.pos = s.b.count
        return false
    }

    /// Hands on `range` of the document as a rejected line for `reason`.
    private mutating func reject(_ range: Range<Int>, _ reason: String) {
        var line: [UInt8] = []
        RejectedLine.write(s.b[range], reason: reason, marker: JSONDocumentSource.rejectedRecordMarker, to: &line)
        w.append(contentsOf: line)
    }

    /// The index just past the value starting at `start`, found by its brackets and strings alone (no depth cap,
    /// no recursion); nil when the bytes end first.
    static func end(of b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start < b.count else { return nil }
        var i = start
        if b[i] != UInt8(ascii: "{") && b[i] != UInt8(ascii: "[") && b[i] != 0x22 {
            // A number or a literal: up to the next separator.
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
