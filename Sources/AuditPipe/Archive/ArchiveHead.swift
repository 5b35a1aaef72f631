/// `archive/head.json` in a signed archive: the last archived day, its manifest's SHA-256, when the run
/// wrote it and with which tool, signed. Rewritten by every signed run, even one that archived nothing (as
/// CloudTrail delivers a digest every hour), so a deleted newest day or an old copy put back shows.
/// Since schema 2 a head also names the pruned record it covers and the head it follows, so a pruned record
/// from elsewhere is refused and the last head a key wrote (`--head-record`) is known to be this one or the
/// one just before it.
struct ArchiveHead: Sendable, Equatable {
    /// The schema this version of auditpipe writes; schema 1 heads (without the two links) are read.
    static let schemaVersion = 2

    var version = Self.schemaVersion

    /// The last archived day and its manifest's hash; nil for an archive with no day yet.
    var lastDay: String?
    var lastManifestSHA256: String?
    /// Since schema 2: the SHA-256 of the pruned record it covers (nil: none), and of the head it replaced
    /// (nil: the archive's first head).
    var prunedSHA256: String?
    var previousHeadSHA256: String?
    /// When the run wrote it (RFC 3339).
    var runTime: String
    var toolVersion: String
    var signature: ArchiveSignature?

    static func path(_ root: String) -> String { root + "/head.json" }

    /// The SHA-256 (hex) of a head's or pruned record's bytes, as the links name them.
    static func sha256(_ bytes: [UInt8]) -> String { ArchiveManifest.sha256(bytes) }

    var unsignedBytes: [UInt8] {
        var h = self
        h.signature = nil
        return h.bytes
    }

    var bytes: [UInt8] {
        var w = JSONWriter(capacity: 512)
        w.raw("{")
        w.key("schema_version")
        w.int(version)
        w.raw(",")
        w.key("last_day")
        w.stringOrNull(lastDay)
        w.raw(",")
        w.key("last_manifest_sha256")
        w.stringOrNull(lastManifestSHA256)
        w.raw(",")
        if version >= 2 {
            w.key("pruned_sha256")
            w.stringOrNull(prunedSHA256)
            w.raw(",")
            w.key("previous_head_sha256")
            w.stringOrNull(previousHeadSHA256)
            w.raw(",")
        }
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
        guard version == 1 || version == Int64(schemaVersion) else {
            throw ArchiveDocument.Invalid(
                reason: "schema_version is \(version), this version of auditpipe reads 1 and \(schemaVersion)")
        }
        let head = ArchiveHead(
            version: Int(version), lastDay: try v.optionalText("last_day"),
            lastManifestSHA256: try v.optionalText("last_manifest_sha256"),
            prunedSHA256: version >= 2 ? try v.optionalText("pruned_sha256") : nil,
            previousHeadSHA256: version >= 2 ? try v.optionalText("previous_head_sha256") : nil,
            runTime: try v.text("run_time"), toolVersion: try v.text("tool_version"),
            signature: ArchiveSignature.parse(v["signature"]))
        guard head.bytes == bytes else { throw ArchiveDocument.notCanonical }
        return head
    }
}
