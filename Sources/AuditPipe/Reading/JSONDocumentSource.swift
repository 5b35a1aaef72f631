/// A file that is one JSON document rather than JSON lines — a CloudTrail file (`{"Records":[…]}` or a bare
/// array, compact or pretty-printed over many lines), a HAR file (`log.entries`), a Frappe REST answer
/// (`{"data":[…]}`), or any top-level array:
/// read whole (up to a cap),
/// parsed, and handed on as one compact JSON line per record, so every later stage sees JSON lines. Line
/// numbers then count records (1-based) and offsets are into that re-written stream. Of a document that does not
/// parse, the records that do are handed on, and the rest dead-lettered (`JSONDocumentSalvage`).
struct JSONDocumentSource: ByteSource {
    /// The largest document read whole.
    static let maxBytes = 128 << 20

    /// Starts a line that stands for a part of a document that is not a record (see `RejectedLine`): the parser
    /// dead-letters it as `invalid_json` with the reason the reader gave.
    static let rejectedRecordMarker: [UInt8] = [0] + Array("JSON:".utf8)

    /// The reason and where the raw text starts in a line starting with `rejectedRecordMarker`.
    static func rejectedRecord(_ line: UnsafeBufferPointer<UInt8>) -> (reason: String, rawStart: Int) {
        RejectedLine.parse(line, marker: rejectedRecordMarker, fallback: "not a record of the JSON document")
    }

    private var lines: [UInt8] = []
    private var position = 0

    /// True when `head` (the file's first bytes) starts a JSON document: `[` opening an array of objects,
    /// `{"Records"`, `{"data"`, `{"log":{` (HAR), `{"kind":"EventList"`, or a `{` alone on its first line (pretty-printed); a JSON-lines file starts with a whole
    /// object on its first line, a text log with anything else.
    ///
    /// `named` (standard input): a `{` alone on its line counts only when the first key after it names a record
    /// array (`Records`, `data`, `log`, `kind`), and a first line that is a whole object only as `{"Records":[`: a
    /// stream of pretty-printed log objects, or of JSON lines whose first key is `data`, is not held to its end.
    static func looksLikeDocument(_ head: [UInt8], named: Bool = false) -> Bool {
        var i = 0
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        while i < head.count, head[i] == 32 || head[i] == 9 || head[i] == 10 || head[i] == 13 { i += 1 }
        guard i < head.count else { return false }
        if head[i] == UInt8(ascii: "[") {
            // An array of records: `[` then (after blanks and newlines) `{` or `]`; a text line such as
            // `[2026-11-21 10:00:00] INFO …` is not one.
            var j = i + 1
            while j < head.count, head[j] == 32 || head[j] == 9 || head[j] == 10 || head[j] == 13 { j += 1 }
            return j < head.count && (head[j] == UInt8(ascii: "{") || head[j] == UInt8(ascii: "]"))
        }
        guard head[i] == UInt8(ascii: "{") else { return false }
        var j = i + 1
        while j < head.count, head[j] == 32 || head[j] == 9 { j += 1 }
        if j < head.count, head[j] == 10 || head[j] == 13 {
            guard named else { return true }
            while j < head.count, head[j] == 32 || head[j] == 9 || head[j] == 10 || head[j] == 13 { j += 1 }
            return [#""Records""#, #""data""#, #""log""#, #""kind""#].contains { head[j...].starts(with: $0.utf8) }
        }
        if named {
            // A first line that is a whole object may be a JSON-lines stream's (a live one is never held back
            // to its end): only CloudTrail's compact `{"Records":[` counts.
            guard head[j...].starts(with: #""Records""#.utf8) else { return false }
            var k = j + 9
            while k < head.count, head[k] == 32 || head[k] == 9 { k += 1 }
            guard k < head.count, head[k] == UInt8(ascii: ":") else { return false }
            k += 1
            while k < head.count, head[k] == 32 || head[k] == 9 { k += 1 }
            return k < head.count && head[k] == UInt8(ascii: "[")
        }
        return head[j...].starts(with: #""Records""#.utf8) || head[j...].starts(with: #""data""#.utf8)
            || head[j...].starts(with: #""kind":"EventList""#.utf8) || head[j...].starts(with: #""log":{"#.utf8)
    }

    /// Reads `upstream` to its end (after `prefix`) and splits the document into record lines.
    init(prefix: [UInt8], upstream: inout some ByteSource, name: String, maxDepth: Int) throws(InputError) {
        var all = prefix
        while try upstream.read(into: &all, max: 1 << 20) > 0 {
            if all.count > Self.maxBytes {
                throw InputError(
                    source: name,
                    message: "JSON document over \(Self.maxBytes >> 20) MiB; split it or convert it to JSON lines")
            }
        }
        upstream.close()
        // One document, or several in a row (a Kubernetes webhook log: one `EventList` a line).
        let parsed: Result<[JSONValue], JSONSyntaxError> = all.withUnsafeBufferPointer { b in
            var s = JSONScanner(b, maxDepth: maxDepth)
            s.skipWhitespace()
            do throws(JSONSyntaxError) {
                if s.peek == 0xEF { s.pos += 3 }
                var documents: [JSONValue] = []
                repeat {
                    documents.append(try s.parseValue(depth: 0))
                    s.skipWhitespace()
                } while s.pos < b.count
                return .success(documents)
            } catch {
                return .failure(error)
            }
        }
        guard case .success(let documents) = parsed else {
            // Not a valid document after all (cut short, a record too deep): its records one by one, what does not
            // parse as lines of their own, dead-lettered with their reason (see `JSONDocumentSalvage`).
            lines = all.withUnsafeBufferPointer { JSONDocumentSalvage.lines(of: $0, maxDepth: maxDepth) }
            return
        }
        var w = JSONWriter(capacity: all.count)
        for document in documents { Self.write(Self.records(of: document), to: &w) }
        lines = w.bytes
    }

    /// Writes `records` one a line; one that is not an object (a number, a string in the record array) is a
    /// rejected line, dead-lettered, not a record of a text log.
    static func write(_ records: [JSONValue], to w: inout JSONWriter) {
        for r in records {
            guard case .object = r else {
                var raw = JSONWriter(capacity: 64)
                raw.value(r)
                var line: [UInt8] = []
                RejectedLine.write(
                    raw.bytes, reason: "a record of a JSON document that is not an object",
                    marker: rejectedRecordMarker,
                    to: &line)
                w.append(contentsOf: line)
                continue
            }
            w.value(r)
            w.raw("\n")
        }
    }

    /// The records a document holds.
    static func records(of document: JSONValue) -> [JSONValue] {
        let records: [JSONValue]
        switch document {
        case .array(let items): records = items
        case .object:
            if case .array(let items)? = document["Records"] {
                records = items  // CloudTrail
            } else if case .array(let items)? = document["log"]?["entries"] {
                records = items  // HAR: each entry is an API call
            } else if case .array(let items)? = document["data"] {
                records = items  // Frappe REST: GET /api/resource/Access Log
            } else if document["kind"]?.scalarText == "EventList", case .array(let items)? = document["items"] {
                records = items  // Kubernetes audit webhook batch
            } else {
                records = [document]
            }
        default: records = [document]
        }
        return records
    }

    mutating func read(into buffer: inout [UInt8], max: Int) throws(InputError) -> Int {
        let n = min(max, lines.count - position)
        buffer.append(contentsOf: lines[position..<(position + n)])
        position += n
        return n
    }

    mutating func wouldBlock() -> Bool { false }
    mutating func close() {}
}
