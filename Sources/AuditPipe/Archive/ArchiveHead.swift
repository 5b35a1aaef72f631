/// `archive/head.json` in a signed archive: the last archived day, its manifest's SHA-256, when the run
/// wrote it and with which tool, signed. Rewritten by every signed run, even one that archived nothing (as
/// CloudTrail delivers a digest every hour), so a deleted newest day or an old copy put back shows.
struct ArchiveHead: Sendable, Equatable {
    static let schemaVersion = 1

    /// The last archived day and its manifest's hash; nil for an archive with no day yet.
    var lastDay: String?
    var lastManifestSHA256: String?
    /// When the run wrote it (RFC 3339).
    var runTime: String
    var toolVersion: String
    var signature: ArchiveSignature?

    static func path(_ root: String) -> String { root + "/head.json" }

    var unsignedBytes: [UInt8] {
        var h = self
        h.signature = nil
        return h.bytes
    }

    var bytes: [UInt8] {
        var w = JSONWriter(capacity: 512)
        w.raw("{")
        w.key("schema_version")
        w.int(Self.schemaVersion)
        w.raw(",")
        w.key("last_day")
        w.stringOrNull(lastDay)
        w.raw(",")
        w.key("last_manifest_sha256")
        w.stringOrNull(lastManifestSHA256)
        w.raw(",")
        w.key("run_time")
        w.string(runTime)
        w.raw(",")
        w.key("tool_version")
        w.string(toolVersion)
        if let signature {
            w.raw(",")
            signature.write(into: &w)
        }
        w.raw("}\n")
        return w.bytes
    }

    static func parse(_ bytes: [UInt8]) -> ArchiveHead? {
        let v: JSONValue? = bytes.withUnsafeBufferPointer { b in
            var s = JSONScanner(b, maxDepth: 4)
            return try? s.parseValue(depth: 0)
        }
        guard let v, v["schema_version"]?.scalarText == String(schemaVersion), let runTime = v["run_time"]?.scalarText,
            let tool = v["tool_version"]?.scalarText
        else { return nil }
        return ArchiveHead(
            lastDay: v["last_day"]?.scalarText, lastManifestSHA256: v["last_manifest_sha256"]?.scalarText,
            runTime: runTime, toolVersion: tool, signature: ArchiveSignature.parse(v["signature"]))
    }
}
