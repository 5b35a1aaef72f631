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

    /// Parses a head file's bytes as auditpipe writes them: one object with no key twice, `schema_version` a
    /// JSON integer, every text a JSON string (a fault is refused, naming the member), and the bytes exactly those
    /// auditpipe writes for its values.
    static func decode(_ bytes: [UInt8]) throws(ArchiveDocument.Invalid) -> ArchiveHead {
        let v = try ArchiveDocument(bytes)
        let version = try v.count("schema_version")
        guard version == Int64(schemaVersion) else {
            throw ArchiveDocument.Invalid(
                reason: "schema_version is \(version), this version of auditpipe reads \(schemaVersion)")
        }
        let head = ArchiveHead(
            lastDay: try v.optionalText("last_day"), lastManifestSHA256: try v.optionalText("last_manifest_sha256"),
            runTime: try v.text("run_time"), toolVersion: try v.text("tool_version"),
            signature: ArchiveSignature.parse(v["signature"]))
        guard head.bytes == bytes else { throw ArchiveDocument.notCanonical }
        return head
    }
}
