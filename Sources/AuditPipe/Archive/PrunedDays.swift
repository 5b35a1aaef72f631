/// `archive/pruned.json`: the days retention removed, each with its manifest's hash, so the chain of the
/// days that remain still verifies from the last pruned one.
enum PrunedDays {
    struct Entry: Sendable, Equatable {
        var day: String
        var manifestSHA256: String
    }

    static func load(_ root: String) -> [Entry] {
        guard let bytes = FileBytes.read(ArchiveLayout.prunedFile(root)) else { return [] }
        let v: JSONValue? = bytes.withUnsafeBufferPointer { b in
            var s = JSONScanner(b, maxDepth: 4)
            return try? s.parseValue(depth: 0)
        }
        guard case .array(let items)? = v?["pruned"] else { return [] }
        return items.compactMap { item in
            guard let day = item["day"]?.scalarText, let sha = item["manifest_sha256"]?.scalarText else { return nil }
            return Entry(day: day, manifestSHA256: sha)
        }
    }

    static func save(_ entries: [Entry], _ root: String) throws(OutputError) {
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
        w.raw("]}\n")
        try AtomicFile.write(w.bytes, to: ArchiveLayout.prunedFile(root))
    }
}
