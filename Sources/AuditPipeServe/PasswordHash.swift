import Crypto
import Foundation
import _CryptoExtras

/// A salted slow password hash: PBKDF2-HMAC-SHA256, 600,000 rounds by default (OWASP's figure), a 16-byte
/// random salt and a 32-byte key, written `pbkdf2-sha256:ROUNDS:SALT:KEY` (salt and key in base64).
public struct PasswordHash: Sendable, Equatable {
    /// Rounds used for new hashes.
    public static let defaultRounds = 600_000
    /// The fewest rounds accepted in a users file.
    public static let minimumRounds = 210_000

    /// PBKDF2 rounds.
    public let rounds: Int
    /// The salt.
    public let salt: [UInt8]
    /// The derived key.
    public let key: [UInt8]

    /// Hashes `password` with a new random salt.
    public init(password: String, rounds: Int = PasswordHash.defaultRounds) throws(UsersFileError) {
        var salt = [UInt8](repeating: 0, count: 16)
        var rng = SystemRandomNumberGenerator()
        for i in salt.indices { salt[i] = UInt8.random(in: 0...255, using: &rng) }
        self.rounds = rounds
        self.salt = salt
        key = try Self.derive(password, salt: salt, rounds: rounds)
    }

    /// Parses the written form; nil when malformed or weaker than `minimumRounds`.
    public init?(text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let rounds = Int(parts[1]),
            rounds >= Self.minimumRounds, rounds <= 100_000_000,
            let salt = Data(base64Encoded: String(parts[2])), salt.count >= 16,
            let key = Data(base64Encoded: String(parts[3])), key.count == 32
        else { return nil }
        self.rounds = rounds
        self.salt = Array(salt)
        self.key = Array(key)
    }

    /// The written form.
    public var text: String {
        "pbkdf2-sha256:\(rounds):\(Data(salt).base64EncodedString()):\(Data(key).base64EncodedString())"
    }

    /// True when `password` gives this key; the comparison takes the same time wherever the bytes differ.
    public func verify(_ password: String) -> Bool {
        guard let derived = try? Self.derive(password, salt: salt, rounds: rounds) else { return false }
        return Self.constantTimeEqual(derived, key)
    }

    /// True when both byte arrays are equal, looking at every byte whatever differs.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    private static func derive(_ password: String, salt: [UInt8], rounds: Int) throws(UsersFileError) -> [UInt8] {
        do {
            let key = try KDF.Insecure.PBKDF2.deriveKey(
                from: Array(password.utf8), salt: salt, using: .sha256, outputByteCount: 32, rounds: rounds)
            return key.withUnsafeBytes { Array($0) }
        } catch {
            throw UsersFileError("cannot hash the password: \(error)")
        }
    }
}
