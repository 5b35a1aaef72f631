import AuditPipeServe
import Foundation
import Testing

/// `auditpipe users add | list | remove` and the authenticator reading the file they write.
@Suite(.serialized)
struct UsersFileTests {
    @Test func addListRemoveThroughTheCommandLine() throws {
        let dir = try ServeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let add = try ServeBinary.run(
            ["users", "add", "users.txt", "alice", "--role", "auditor"], in: dir, stdin: Data("s3cret pass\n".utf8))
        #expect(add.status == 0, "\(add.stderr)")
        let add2 = try ServeBinary.run(
            ["users", "add", "users.txt", "bob", "--role", "viewer"], in: dir, stdin: Data("another pass\n".utf8))
        #expect(add2.status == 0, "\(add2.stderr)")
        let path = dir.appendingPathComponent("users.txt").path
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains("s3cret"), "no password in the file")
        #expect(text.contains("alice:auditor:pbkdf2-sha256:600000:"))

        let list = try ServeBinary.run(["users", "list", "users.txt"], in: dir)
        #expect(String(decoding: list.stdout, as: UTF8.self) == "alice\tauditor\nbob\tviewer\n")

        let auth = try Authenticator(usersFile: path)
        #expect(auth.role(user: "alice", password: "s3cret pass") == .auditor)
        #expect(auth.role(user: "bob", password: "another pass") == .viewer)
        #expect(auth.role(user: "alice", password: "s3cret pasS") == nil)
        #expect(auth.role(user: "alice", password: "") == nil)
        #expect(auth.role(user: "carol", password: "s3cret pass") == nil)

        let remove = try ServeBinary.run(["users", "remove", "users.txt", "bob"], in: dir)
        #expect(remove.status == 0)
        #expect(auth.role(user: "bob", password: "another pass") == nil, "a removed user is out without a restart")
        #expect(auth.role(user: "alice", password: "s3cret pass") == .auditor)
        let again = try ServeBinary.run(["users", "remove", "users.txt", "bob"], in: dir)
        #expect(again.status == 1)
        #expect(again.stderr.contains("no user 'bob'"))
    }

    @Test func badRolesNamesAndShortPasswordsAreRefused() throws {
        let dir = try ServeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let role = try ServeBinary.run(
            ["users", "add", "u.txt", "alice", "--role", "admin"], in: dir, stdin: Data("long enough\n".utf8))
        #expect(role.status == 1)
        #expect(role.stderr.contains("viewer or auditor"))
        let name = try ServeBinary.run(
            ["users", "add", "u.txt", "al:ice", "--role", "viewer"], in: dir, stdin: Data("long enough\n".utf8))
        #expect(name.status == 1)
        let short = try ServeBinary.run(
            ["users", "add", "u.txt", "alice", "--role", "viewer"], in: dir, stdin: Data("short\n".utf8))
        #expect(short.status == 1)
        #expect(short.stderr.contains("at least 8"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("u.txt").path))
    }

    @Test func aTamperedLineIsAnErrorNamingTheLine() throws {
        let dir = try ServeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("u.txt").path
        try "# comment\nalice:auditor:pbkdf2-sha256:1000:AAAAAAAAAAAAAAAAAAAAAA==:AAAA\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: UsersFileError.self) { try UsersFile.load(path) }
        do {
            _ = try UsersFile.load(path)
        } catch {
            #expect(error.message.contains("u.txt:2"))
        }
    }

    @Test func constantTimeCompareAgreesWithEquality() {
        #expect(PasswordHash.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!PasswordHash.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!PasswordHash.constantTimeEqual([1, 2, 3], [1, 2]))
    }
}

/// `UsersFile.update`: the one load-change-save of `users add` and `users remove`.
@Suite(.serialized)
struct UsersFileUpdateTests {
    @Test func updateSavesTheChangeAndAFailedChangeLeavesTheFileAsItWas() throws {
        let dir = try ServeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("users.txt").path
        let added = try UsersFile.update(path, missingIsEmpty: true) { (u) throws(UsersFileError) in
            try u.set(name: "alice", role: .auditor, password: "long enough")
        }
        #expect(added == false)
        #expect(try UsersFile.load(path).users.map(\.name) == ["alice"])
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(throws: UsersFileError.self) {
            try UsersFile.update(path) { (u) throws(UsersFileError) in
                try u.set(name: "bob", role: .viewer, password: "long enough")
                try u.remove(name: "nobody")
            }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(throws: UsersFileError.self) { try UsersFile.update(dir.appendingPathComponent("none").path) { _ in } }
    }
}
