import Crypto

/// The manifest beside a day's archive: what it holds and the hashes that prove it, chained to the
/// manifest of the archive's previous day (as CloudTrail chains its digest files).
public struct ArchiveManifest: Sendable, Equatable {
    /// Version of this manifest format.
    public static let schemaVersion = 1

    public var day: String
    public var events: Int
    /// Start of the first and of the last event (RFC 3339), nil for an empty day.
    public var firstStart: String?
    public var lastStart: String?
    public var compressedBytes: Int64
    public var uncompressedBytes: Int64
    /// SHA-256 of the gzip file and of its uncompressed content, hex.
    public var gzipSHA256: String
    public var contentSHA256: String
    public var toolVersion: String
    /// SHA-256 of the previous day's manifest file, or of the last pruned day's, or nil for the first day.
    public var previousManifestSHA256: String?
    /// In a signed archive, SHA-256 of the version of this day's manifest this one replaced (a merge of late
    /// events or a re-chain), so a run killed before it re-chained or rewrote the head can be finished.
    public var supersedesManifestSHA256: String?
    /// In a signed archive, the signature over `unsignedBytes`.
    var signature: ArchiveSignature?

    /// Creates a manifest (unsigned, replacing nothing).
    public init(
        day: String, events: Int, firstStart: String?, lastStart: String?, compressedBytes: Int64,
        uncompressedBytes: Int64, gzipSHA256: String, contentSHA256: String, toolVersion: String,
        previousManifestSHA256: String?
    ) {
        self.day = day
        self.events = events
        self.firstStart = firstStart
        self.lastStart = lastStart
        self.compressedBytes = compressedBytes
        self.uncompressedBytes = uncompressedBytes
        self.gzipSHA256 = gzipSHA256
        self.contentSHA256 = contentSHA256
        self.toolVersion = toolVersion
        self.previousManifestSHA256 = previousManifestSHA256
    }

    /// The bytes the signature covers: the manifest without its signature.
    var unsignedBytes: [UInt8] {
        var m = self
        m.signature = nil
        return m.bytes
    }

    /// True when both describe the same archive file chained the same way (signature and history aside).
    func sameContent(as other: ArchiveManifest) -> Bool {
        var a = self
        var b = other
        (a.signature, a.supersedesManifestSHA256, b.signature, b.supersedesManifestSHA256) = (nil, nil, nil, nil)
        return a == b
    }

    /// The manifest as written (fixed key order, one line).
    public var bytes: [UInt8] {
        var w = JSONWriter(capacity: 512)
        w.raw("{")
        w.key("schema_version")
        w.int(Self.schemaVersion)
        w.raw(",")
        w.key("day")
        w.string(day)
        w.raw(",")
        w.key("events")
        w.int(events)
        w.raw(",")
        w.key("first_start")
        w.stringOrNull(firstStart)
        w.raw(",")
        w.key("last_start")
        w.stringOrNull(lastStart)
        w.raw(",")
        w.key("compressed_bytes")
        w.int(Int(compressedBytes))
        w.raw(",")
        w.key("uncompressed_bytes")
        w.int(Int(uncompressedBytes))
        w.raw(",")
        w.key("gzip_sha256")
        w.string(gzipSHA256)
        w.raw(",")
        w.key("content_sha256")
        w.string(contentSHA256)
        w.raw(",")
        w.key("tool_version")
        w.string(toolVersion)
        w.raw(",")
        w.key("previous_manifest_sha256")
        w.stringOrNull(previousManifestSHA256)
        if let supersedesManifestSHA256 {
            w.raw(",")
            w.key("supersedes_manifest_sha256")
            w.string(supersedesManifestSHA256)
        }
        if let signature {
            w.raw(",")
            signature.write(into: &w)
        }
        w.raw("}\n")
        return w.bytes
    }

    /// Parses a manifest file's bytes; nil when they are not one.
    static func parse(_ bytes: [UInt8]) -> ArchiveManifest? { try? decode(bytes) }

    /// Why a manifest file's bytes are not a manifest: not an object, a key repeated, or the first member
    /// missing or of the wrong type.
    typealias Invalid = ArchiveDocument.Invalid

    /// Parses a manifest file's bytes as auditpipe writes them: one object with no key twice, every count and size
    /// a non-negative JSON integer (a string, a fraction or a negative number is refused, naming the member),
    /// every text a JSON string.
    static func decode(_ bytes: [UInt8]) throws(Invalid) -> ArchiveManifest {
        let v = try ArchiveDocument(bytes)
        let version = try v.count("schema_version")
        guard version == Int64(schemaVersion) else {
            throw Invalid(reason: "schema_version is \(version), this version of auditpipe reads \(schemaVersion)")
        }
        var m = ArchiveManifest(
            day: try v.text("day"), events: Int(try v.count("events")),
            firstStart: try v.optionalText("first_start"), lastStart: try v.optionalText("last_start"),
            compressedBytes: try v.count("compressed_bytes"), uncompressedBytes: try v.count("uncompressed_bytes"),
            gzipSHA256: try v.text("gzip_sha256"), contentSHA256: try v.text("content_sha256"),
            toolVersion: try v.text("tool_version"),
            previousManifestSHA256: try v.optionalText("previous_manifest_sha256"))
        m.supersedesManifestSHA256 = try v.optionalText("supersedes_manifest_sha256")
        m.signature = ArchiveSignature.parse(v["signature"])
        return m
    }

    /// Hex SHA-256 of bytes.
    static func sha256(_ bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }

    static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in digest {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
