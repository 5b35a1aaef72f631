/// `archive/pruned.json`: the days retention removed, each with its manifest's hash, so the chain of the
/// days that remain still verifies from the last pruned one.
enum PrunedDays {
    struct Entry: Sendable, Equatable {
        var day: String
        var manifestSHA256: String
    }

    /// The entries; empty when there is no pruned record.
    static func load(_ root: String) throws(ArchiveDocument.Invalid) -> [Entry] { try loadSigned(root).entries }

    /// The entries, the file's signature (nil when unsigned) and its unsigned body for checking it; empty when
    /// there is no file. A file that is not a pruned record exactly as auditpipe writes it (a key twice, an
    /// entry without its day or hash, members reordered or respaced) is refused, not read as no pruning: a run
    /// would otherwise rewrite it without the days it held.
    static func loadSigned(_ root: String) throws(ArchiveDocument.Invalid) -> (
        entries: [Entry], signature: ArchiveSignature?, body: [UInt8]
    ) {
        guard let bytes = FileBytes.read(ArchiveLayout.prunedFile(root)) else { return ([], nil, []) }
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
        let signature = ArchiveSignature.parse(v["signature"])
        guard encode(entries, signature: signature) == bytes else { throw ArchiveDocument.notCanonical }
        return (entries, signature, encode(entries, signature: nil))
    }

    /// Writes the record atomically; in a signed archive, signed (the signature inside the one file).
    static func save(_ entries: [Entry], _ root: String, signer: ArchiveSigningKey? = nil) throws(OutputError) {
        let signature = signer.map { $0.sign(encode(entries, signature: nil)) }
        try AtomicFile.write(encode(entries, signature: signature), to: ArchiveLayout.prunedFile(root))
    }

    static func encode(_ entries: [Entry], signature: ArchiveSignature?) -> [UInt8] {
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
        if let signature {
            w.raw(",")
            signature.write(into: &w)
        }
        w.raw("}\n")
        return w.bytes
    }
}
