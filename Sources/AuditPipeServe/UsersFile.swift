import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The screen's users: one line per user, `NAME:ROLE:pbkdf2-sha256:ROUNDS:SALT:KEY`, `#` comments. Written
/// atomically (a temporary file beside it, fsynced, renamed over it, the directory fsynced), mode 0600.
public struct UsersFile: Sendable {
    /// One user.
    public struct User: Sendable, Equatable {
        /// The sign-in name.
        public var name: String
        /// What the user may do.
        public var role: UserRole
        /// The password's hash.
        public var hash: PasswordHash
    }

    /// The users, in file order.
    public private(set) var users: [User] = []

    /// An empty file.
    public init() {}

    /// Reads `path`; a missing file is empty when `missingIsEmpty`.
    public static func load(_ path: String, missingIsEmpty: Bool = false) throws(UsersFileError) -> UsersFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            if missingIsEmpty && !FileManager.default.fileExists(atPath: path) { return UsersFile() }
            throw UsersFileError("\(path): cannot read the users file (create it with `auditpipe users add`)")
        }
        var file = UsersFile()
        for (n, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty || text.hasPrefix("#") { continue }
            let parts = text.split(separator: ":", maxSplits: 2)
            guard parts.count == 3, validName(String(parts[0])), let role = UserRole(rawValue: String(parts[1])),
                let hash = PasswordHash(text: String(parts[2]))
            else {
                throw UsersFileError(
                    "\(path):\(n + 1): expected NAME:ROLE:pbkdf2-sha256:ROUNDS:SALT:KEY (roles: viewer, auditor); "
                        + "rewrite it with `auditpipe users add`")
            }
            file.users.append(User(name: String(parts[0]), role: role, hash: hash))
        }
        return file
    }

    /// Reads `path` (a missing file is empty when `missingIsEmpty`), applies `change`, and writes the file
    /// back atomically, all under an exclusive lock on `PATH.lock`, so two changes at once do not lose one;
    /// when `change` throws, the file is left as it was. Returns what `change` returned.
    @discardableResult
    public static func update<Result>(
        _ path: String, missingIsEmpty: Bool = false, _ change: (inout UsersFile) throws(UsersFileError) -> Result
    ) throws(UsersFileError) -> Result {
        let lock = open("\(path).lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard lock >= 0 else {
            throw UsersFileError("\(path).lock: cannot lock the users file: \(String(cString: strerror(errno)))")
        }
        defer { close(lock) }
        while flock(lock, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw UsersFileError("\(path).lock: cannot lock the users file: \(String(cString: strerror(errno)))")
            }
        }
        var file = try load(path, missingIsEmpty: missingIsEmpty)
        let result = try change(&file)
        try file.save(path)
        return result
    }

    /// True for 1–64 characters of letters, digits and `. _ @ -` (no `:`, which Basic auth cannot carry).
    public static func validName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._@-".unicodeScalars.contains($0))
            }
    }

    /// The user of this name, or nil.
    public func user(named name: String) -> User? { users.first { $0.name == name } }

    /// Adds a user or replaces the one of the same name; returns true when it replaced one.
    @discardableResult
    public mutating func set(name: String, role: UserRole, password: String) throws(UsersFileError) -> Bool {
        guard Self.validName(name) else {
            throw UsersFileError("user name '\(name)': use 1-64 letters, digits and . _ @ -")
        }
        guard password.count >= 8 else { throw UsersFileError("the password needs at least 8 characters") }
        let user = User(name: name, role: role, hash: try PasswordHash(password: password))
        if let i = users.firstIndex(where: { $0.name == name }) {
            users[i] = user
            return true
        }
        users.append(user)
        return false
    }

    /// Removes the user of this name.
    public mutating func remove(name: String) throws(UsersFileError) {
        guard let i = users.firstIndex(where: { $0.name == name }) else {
            throw UsersFileError("no user '\(name)' (see `auditpipe users list`)")
        }
        users.remove(at: i)
    }

    /// The file's text.
    public var text: String {
        var out = "# auditpipe users: NAME:ROLE:pbkdf2-sha256:ROUNDS:SALT:KEY\n"
        for u in users { out += "\(u.name):\(u.role.rawValue):\(u.hash.text)\n" }
        return out
    }

    /// Writes the file atomically with mode 0600.
    public func save(_ path: String) throws(UsersFileError) {
        let dir = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let tmp = "\(path).tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw UsersFileError("\(tmp): \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        var done = 0
        var failure: Int32 = 0
        if fchmod(fd, 0o600) != 0 { failure = errno }
        while failure == 0 && done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                failure = errno
            } else {
                done += n
            }
        }
        if failure == 0 && fsync(fd) != 0 { failure = errno }
        close(fd)
        if failure == 0 && rename(tmp, path) != 0 { failure = errno }
        guard failure == 0 else {
            unlink(tmp)
            throw UsersFileError("\(path): cannot write the users file: \(String(cString: strerror(failure)))")
        }
        let dfd = open(dir.isEmpty ? "/" : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }
}
