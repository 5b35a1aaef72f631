/// `archive/pruned.json`: the days retention removed, each with its manifest's hash, so the chain of the
/// days that remain still verifies from the last pruned one.
enum PrunedDays {
    struct Entry: Sendable, Equatable {
        var day: String
        var manifestSHA256: String
    }

    static func load(_ root: String) -> [Entry] { loadSigned(root).entries }

    /// The entries and the file's signature (nil when unsigned), and its unsigned body for checking it.
    static func loadSigned(_ root: String) -> (entries: [Entry], signature: ArchiveSignature?, body: [UInt8]) {
        guard let bytes = FileBytes.read(ArchiveLayout.prunedFile(root)) else { return ([], nil, []) }
        let v: JSONValue? = bytes.withUnsafeBufferPointer { b in
            var s = JSONScanner(b, maxDepth: 4)
            return try? s.parseValue(depth: 0)
        }
        guard case .array(let items)? = v?["pruned"] else { return ([], nil, []) }
        let entries: [Entry] = items.compactMap { item in
            guard let day = item["day"]?.scalarText, let sha = item["manifest_sha256"]?.scalarText else { return nil }
            return Entry(day: day, manifestSHA256: sha)
        }
        return (entries, ArchiveSignature.parse(v?["signature"]), encode(entries, signature: nil))
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
