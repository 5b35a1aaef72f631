/// `archive/pruned.json`: the days retention removed, each with its manifest's hash, so the chain of the
/// days that remain still verifies from the last pruned one. In a signed archive it also names the head that
/// was current when it was written (`head_sha256`), and the next head names it (`pruned_sha256`): a pruned
/// record from another archive, or an older one of this archive, is refused.
enum PrunedDays {
    struct Entry: Sendable, Equatable {
        var day: String
        var manifestSHA256: String
    }

    /// A pruned record as read: its entries, the head it followed (signed archives), its signature (nil when
    /// unsigned) and its unsigned body for checking it.
    struct Record: Sendable {
        var entries: [Entry] = []
        var headSHA256: String?
        var signature: ArchiveSignature?
        var body: [UInt8] = []
    }

    /// The entries; empty when there is no pruned record.
    static func load(_ root: String) throws(ArchiveDocument.Invalid) -> [Entry] { try loadSigned(root).entries }

    /// The record; empty when there is no file. A file that is not a pruned record exactly as auditpipe writes it (a key twice, an
    /// entry without its day or hash, members reordered or respaced) is refused, not read as no pruning: a run
    /// would otherwise rewrite it without the days it held.
    static func loadSigned(_ root: String) throws(ArchiveDocument.Invalid) -> Record {
        guard let bytes = FileBytes.read(ArchiveLayout.prunedFile(root)) else { return Record() }
        let v = try ArchiveDocument(bytes)
        guard case .array(let items)? = v["pruned"] else {
            throw ArchiveDocument.Invalid(reason: "pruned is missing or not an array")
        }
        var entries: [Entry] = []
        for (i, item) in items.enumerated() {
            guard case .string(let day)? = item["day"], case .string(let sha)? = item["manifest_sha256"] else {
                throw ArchiveDocument.Invalid(reason: "pruned.\(i) is not an object with a day and a manifest_sha256")
            }
            guard ArchiveLayout.isDay(day) else {
                throw ArchiveDocument.Invalid(reason: "pruned.\(i).day is \"\(day)\", not a day (YYYY-MM-DD)")
            }
            entries.append(Entry(day: day, manifestSHA256: sha))
        }
        let head = try v.optionalText("head_sha256")
        let signature = ArchiveSignature.parse(v["signature"])
        guard encode(entries, head: head, signature: signature) == bytes else { throw ArchiveDocument.notCanonical }
        return Record(
            entries: entries, headSHA256: head, signature: signature, body: encode(entries, head: head, signature: nil))
    }

    /// Writes the record atomically; in a signed archive, signed (the signature inside the one file) and
    /// naming `head`, the SHA-256 of the archive's head when it is written.
    static func save(
        _ entries: [Entry], _ root: String, signer: ArchiveSigningKey? = nil, head: String? = nil
    ) throws(OutputError) {
        let signature = signer.map { $0.sign(encode(entries, head: head, signature: nil)) }
        try AtomicFile.write(encode(entries, head: head, signature: signature), to: ArchiveLayout.prunedFile(root))
    }

    static func encode(_ entries: [Entry], head: String? = nil, signature: ArchiveSignature?) -> [UInt8] {
        var w = JSONWriter(capacity: 256)
        w.raw("{")
        w.key("pruned")
        w.raw("[")
        for (i, e) in entries.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("{")
            w.key("day")
            w.string(e.day)
            w.raw(",")
            w.key("manifest_sha256")
            w.string(e.manifestSHA256)
            w.raw("}")
        }
        w.raw("]")
        if let head {
            w.raw(",")
            w.key("head_sha256")
            w.string(head)
        }
        if let signature {
            w.raw(",")
            signature.write(into: &w)
        }
        w.raw("}\n")
        return w.bytes
    }
}
