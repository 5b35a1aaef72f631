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
    static func parse(_ bytes: [UInt8]) -> ArchiveManifest? {
        let v: JSONValue? = bytes.withUnsafeBufferPointer { b in
            var s = JSONScanner(b, maxDepth: 4)
            return try? s.parseValue(depth: 0)
        }
        guard let v, v["schema_version"]?.scalarText == String(schemaVersion), let day = v["day"]?.scalarText,
            let events = v["events"]?.scalarText.flatMap({ Int($0) }),
            let compressed = v["compressed_bytes"]?.scalarText.flatMap({ Int64($0) }),
            let uncompressed = v["uncompressed_bytes"]?.scalarText.flatMap({ Int64($0) }),
            let gz = v["gzip_sha256"]?.scalarText, let content = v["content_sha256"]?.scalarText,
            let tool = v["tool_version"]?.scalarText
        else { return nil }
        var m = ArchiveManifest(
            day: day, events: events, firstStart: v["first_start"]?.scalarText, lastStart: v["last_start"]?.scalarText,
            compressedBytes: compressed, uncompressedBytes: uncompressed, gzipSHA256: gz, contentSHA256: content,
            toolVersion: tool, previousManifestSHA256: v["previous_manifest_sha256"]?.scalarText)
        m.supersedesManifestSHA256 = v["supersedes_manifest_sha256"]?.scalarText
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
