/// Writes rejected lines as JSON lines: source, line, offset, reason, detail, and the raw line (secrets
/// redacted, also inside a line that is not UTF-8, and a private key's body across consecutive rejected lines)
/// — as `raw_base64` when it is not valid UTF-8.
/// Not thread-safe: the merge stage is its only writer.
public final class DeadLetterWriter: @unchecked Sendable {
    private let file: OutputFile
    private let inputNames: InputNames
    private let redactor: Redactor
    /// The last dead letter when it left a private key block open: the input's next line continues it.
    private var openPrivateKey: SourcePosition?

    /// Writes to `path` (appending to it with `append`, as a resumed follow run does).
    public init(path: String, inputNames: InputNames, redactor: Redactor = Redactor(), append: Bool = false)
        throws(OutputError)
    {
        file = try OutputFile(path: path, append: append)
        self.inputNames = inputNames
        self.redactor = redactor
    }

    /// Writes one dead letter.
    public func write(_ d: DeadLetter) throws(OutputError) {
        var w = JSONWriter(capacity: d.raw.count + 256)
        w.raw("{")
        w.key("source")
        w.string(inputNames.name(of: d.position.input))
        w.raw(",")
        w.key("line")
        w.int(Int(d.position.line))
        w.raw(",")
        w.key("offset")
        w.int(Int(d.position.offset))
        w.raw(",")
        w.key("reason")
        w.string(d.reason.rawValue)
        w.raw(",")
        w.key("detail")
        w.string(d.detail)
        w.raw(",")
        var open = openPrivateKey.map { $0.input == d.position.input && $0.line + 1 == d.position.line } ?? false
        if let text = Self.utf8Text(d.raw) {
            w.key("raw")
            w.string(redactor.redactLine(text, privateKeyOpen: &open))
        } else {
            w.key("raw_base64")
            w.string(Base64.encode(redactor.redactBytes(d.raw, privateKeyOpen: &open)))
        }
        openPrivateKey = open ? d.position : nil
        w.raw("}\n")
        try w.withBytes { (b) throws(OutputError) in try file.write(b) }
    }

    /// Flushes and closes.
    public func close() throws(OutputError) { try file.close() }

    /// Flushes and fsyncs what was written; returns the file's length.
    public func sync() throws(OutputError) -> Int64 { try file.sync() }

    /// A one-line summary of a dead letter for stderr.
    public static func describe(_ d: DeadLetter, inputName: String) -> String {
        "\(inputName):\(d.position.line) (offset \(d.position.offset)): \(d.reason.rawValue): \(d.detail)"
    }

    static func utf8Text(_ raw: [UInt8]) -> String? {
        raw.withUnsafeBufferPointer { LineParser.firstInvalidUTF8($0) } == nil && !raw.contains(0)
            ? String(decoding: raw, as: UTF8.self) : nil
    }
}

/// RFC 4648 base64.
enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [table[Int(v >> 18 & 63)], table[Int(v >> 12 & 63)], table[Int(v >> 6 & 63)], table[Int(v & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            let v = UInt32(bytes[i]) << 16 | (rest > 1 ? UInt32(bytes[i + 1]) << 8 : 0)
            out += [table[Int(v >> 18 & 63)], table[Int(v >> 12 & 63)]]
            out.append(rest > 1 ? table[Int(v >> 6 & 63)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }
}
