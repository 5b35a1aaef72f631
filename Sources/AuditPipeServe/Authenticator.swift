import Crypto
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Checks Basic-auth credentials against a users file, read again whenever it changes (so `users remove`
/// takes effect without a restart). A slow hash per request would make every page load take seconds, so a
/// success is remembered under an HMAC of name and password with a key made at start (never the password),
/// for as long as the file is unchanged; failures are never remembered.
public final class Authenticator: Sendable {
    private struct State {
        var version: String = ""
        var file = UsersFile()
        var verified: [String: UserRole] = [:]
    }

    private let path: String
    private let cacheKey: [UInt8] = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    private let state = Mutex(State())
    /// A hash to check when the user is unknown, so an unknown name takes as long as a wrong password.
    private let decoy: PasswordHash

    /// Checks against the users file at `path`, which must exist and parse now.
    public init(usersFile path: String) throws(UsersFileError) {
        self.path = path
        decoy = try PasswordHash(password: "decoy password, never matches")
        let file = try UsersFile.load(path)
        let version = Self.version(of: path)
        state.withLock {
            $0.file = file
            $0.version = version
        }
    }

    /// The role of `user` when `password` is right, else nil.
    public func role(user: String, password: String) -> UserRole? {
        let version = Self.version(of: path)
        let stale = state.withLock { $0.version != version }
        let reloaded = stale ? try? UsersFile.load(path) : nil
        let mac = HMAC<SHA256>.authenticationCode(
            for: Array("\(user)\u{0}\(password)".utf8), using: SymmetricKey(data: cacheKey))
        let token = Data(mac).base64EncodedString()
        let (known, hit): (UsersFile.User?, UserRole?) = state.withLock { s in
            if version != s.version {
                // A file that no longer parses lets nobody in until it is fixed.
                s.file = reloaded ?? UsersFile()
                s.version = version
                s.verified = [:]
            }
            return (s.file.user(named: user), s.verified[token])
        }
        if let hit { return hit }
        guard let known else {
            _ = decoy.verify(password)
            return nil
        }
        guard known.hash.verify(password) else { return nil }
        state.withLock { s in
            if s.version == version {
                if s.verified.count >= 256 { s.verified = [:] }
                s.verified[token] = known.role
            }
        }
        return known.role
    }

    /// The file's identity and modification time: any rewrite (atomic rename included) changes it.
    private static func version(of path: String) -> String {
        var st = stat()
        guard stat(path, &st) == 0 else { return "missing" }
        return "\(st.st_ino):\(st.st_size):\(st.st_mtim.tv_sec):\(st.st_mtim.tv_nsec)"
    }
}
