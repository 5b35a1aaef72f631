import Crypto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The Ed25519 key that signs an archive's manifests, head and pruned record (`auditpipe keys generate`).
/// On disk: `DIR/auditpipe-signing.key` (mode 0600) and `DIR/auditpipe-signing.pub`, each a header line
/// and the raw 32-byte key in hex.
public struct ArchiveSigningKey: Sendable {
    static let header = "auditpipe ed25519 signing key v1"
    /// The file names `keys generate` writes.
    public static let privateFileName = "auditpipe-signing.key"
    public static let publicFileName = "auditpipe-signing.pub"

    /// The raw 32-byte private key.
    private let raw: [UInt8]

    private var key: Curve25519.Signing.PrivateKey { try! Curve25519.Signing.PrivateKey(rawRepresentation: raw) }

    private init(key: Curve25519.Signing.PrivateKey) { raw = Array(key.rawRepresentation) }

    /// The matching public key.
    public var publicKey: ArchivePublicKey { ArchivePublicKey(key: key.publicKey) }

    /// A new random key.
    public static func generate() -> ArchiveSigningKey { ArchiveSigningKey(key: Curve25519.Signing.PrivateKey()) }

    /// Reads a private key file.
    public static func load(_ path: String) throws(ArchiveKeyError) -> ArchiveSigningKey {
        let raw = try KeyFile.read(path, header: header)
        guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else {
            throw ArchiveKeyError(path: path, message: "not an Ed25519 private key")
        }
        return ArchiveSigningKey(key: key)
    }

    /// Writes the private key (0600) and the public key into `directory`; refuses to overwrite a key.
    public func write(to directory: String) throws(ArchiveKeyError) {
        ArchiveLayout.makeDirectories(directory)
        try KeyFile.write(
            directory + "/" + Self.privateFileName, header: Self.header, raw: Array(key.rawRepresentation),
            mode: 0o600)
        try KeyFile.write(
            directory + "/" + Self.publicFileName, header: ArchivePublicKey.header,
            raw: Array(key.publicKey.rawRepresentation), mode: 0o644)
    }

    /// Signs `body`.
    func sign(_ body: [UInt8]) -> ArchiveSignature {
        let signature = (try? key.signature(for: body)).map { Array($0) } ?? []
        return ArchiveSignature(keyID: publicKey.keyID, ed25519: KeyFile.hex(signature))
    }
}

/// A public key that verifies archive signatures (`verify --public-key`).
public struct ArchivePublicKey: Sendable {
    static let header = "auditpipe ed25519 public key v1"

    /// The raw 32-byte public key.
    private let raw: [UInt8]

    var key: Curve25519.Signing.PublicKey { try! Curve25519.Signing.PublicKey(rawRepresentation: raw) }

    init(key: Curve25519.Signing.PublicKey) { raw = Array(key.rawRepresentation) }

    /// First 16 hex digits of the SHA-256 of the raw key: names the key in every signature.
    public var keyID: String {
        String(ArchiveManifest.sha256(Array(key.rawRepresentation)).prefix(16))
    }

    /// Reads a public key file.
    public static func load(_ path: String) throws(ArchiveKeyError) -> ArchivePublicKey {
        let raw = try KeyFile.read(path, header: header)
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else {
            throw ArchiveKeyError(path: path, message: "not an Ed25519 public key")
        }
        return ArchivePublicKey(key: key)
    }
}

/// A signature over a file's unsigned body: the signing key's id and the Ed25519 signature in hex.
struct ArchiveSignature: Sendable, Equatable {
    var keyID: String
    var ed25519: String

    /// Writes `"signature":{"key_id":…,"ed25519":…}`.
    func write(into w: inout JSONWriter) {
        w.key("signature")
        w.raw("{")
        w.key("key_id")
        w.string(keyID)
        w.raw(",")
        w.key("ed25519")
        w.string(ed25519)
        w.raw("}")
    }

    /// The `signature` member of a parsed file, if it has one.
    static func parse(_ v: JSONValue?) -> ArchiveSignature? {
        guard let id = v?["key_id"]?.scalarText, let sig = v?["ed25519"]?.scalarText else { return nil }
        return ArchiveSignature(keyID: id, ed25519: sig)
    }

    /// Why the signature does not prove `body` under one of `keys`, or nil when it does.
    func problem(_ body: [UInt8], keys: [ArchivePublicKey]) -> String? {
        guard let key = keys.first(where: { $0.keyID == keyID }) else {
            return
                "signed by a key not given with --public-key (key id \(keyID)): if the archive was signed with that key before (a rotated key), give its public key with --public-key; otherwise the file comes from another archive: restore this archive's own from a backup"
        }
        // Lower-case hex only, as auditpipe writes it: an upper-cased copy is not the file that was signed.
        let lowerHex = ed25519.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
        guard lowerHex, let raw = KeyFile.unhex(ed25519), key.key.isValidSignature(raw, for: body) else {
            return "bad signature: the file was changed after key \(keyID) signed it"
        }
        return nil
    }
}

/// A key file could not be read or written (exit 1).
public struct ArchiveKeyError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

/// The key files' text format: a header line, then the raw key in hex.
enum KeyFile {
    static func read(_ path: String, header: String) throws(ArchiveKeyError) -> [UInt8] {
        guard let bytes = FileBytes.read(path) else {
            throw ArchiveKeyError(path: path, message: "cannot read the key file")
        }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map {
            $0.filter { $0 != "\r" }
        }
        guard lines.count == 2, lines[0] == header, let raw = unhex(lines[1].filter { $0 != " " }), raw.count == 32
        else {
            throw ArchiveKeyError(path: path, message: "not a key file: expected '\(header)' and 64 hex digits")
        }
        return raw
    }

    static func write(_ path: String, header: String, raw: [UInt8], mode: mode_t) throws(ArchiveKeyError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw ArchiveKeyError(path: path, message: "cannot create: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        _ = fchmod(fd, mode)
        let text = Array("\(header)\n\(hex(raw))\n".utf8)
        let n = text.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard n == text.count, fsync(fd) == 0 else {
            throw ArchiveKeyError(path: path, message: "write failed: \(String(cString: strerror(errno)))")
        }
    }

    static func hex(_ bytes: [UInt8]) -> String { Hex.encode(bytes) }

    static func unhex(_ text: some StringProtocol) -> [UInt8]? { Hex.decode(text) }
}
