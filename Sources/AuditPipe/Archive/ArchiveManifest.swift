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
        return ArchiveManifest(
            day: day, events: events, firstStart: v["first_start"]?.scalarText, lastStart: v["last_start"]?.scalarText,
            compressedBytes: compressed, uncompressedBytes: uncompressed, gzipSHA256: gz, contentSHA256: content,
            toolVersion: tool, previousManifestSHA256: v["previous_manifest_sha256"]?.scalarText)
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
