import ArgumentParser
import AuditPipeServe

/// `auditpipe users`: the screen's users file (add, remove, list).
struct UsersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Manage the users file of `auditpipe serve` (salted PBKDF2-SHA256 hashes, mode 0600).",
        discussion: """
            Examples:
              auditpipe users add users.txt alice --role auditor
              printf '%s\\n' "$PASSWORD" | auditpipe users add users.txt bob --role viewer
              auditpipe users list users.txt
              auditpipe users remove users.txt bob
            """,
        subcommands: [Add.self, Remove.self, List.self])

    /// `users add`.
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user, or set the password and role of an existing one.",
            discussion: """
                The password is read from standard input: typed twice without echo at a terminal, or one \
                line from a pipe. At least 8 characters.

                Example:
                  auditpipe users add users.txt alice --role auditor
                """)

        @Argument(help: "Users file (created when missing).")
        var file: String

        @Argument(help: "User name: 1-64 letters, digits and . _ @ -")
        var name: String

        @Option(help: "viewer (lists and reads) or auditor (also exports), e.g. --role auditor.")
        var role: String

        func validate() throws {
            guard UserRole(rawValue: role) != nil else {
                throw ValidationError("--role takes viewer or auditor; got '\(role)'")
            }
            guard UsersFile.validName(name) else {
                throw ValidationError("user name: use 1-64 letters, digits and . _ @ -")
            }
        }

        func run() throws {
            guard let password = PasswordInput.read(for: name) else {
                FileHandleStderr.write("auditpipe: no password read from standard input\n")
                throw ExitCode(1)
            }
            do {
                let replaced = try UsersFile.update(file, missingIsEmpty: true) { (users) throws(UsersFileError) in
                    try users.set(name: name, role: UserRole(rawValue: role)!, password: password)
                }
                print("\(replaced ? "updated" : "added") \(name) (\(role)) in \(file)")
            } catch {
                FileHandleStderr.write("auditpipe: \(error)\n")
                throw ExitCode(1)
            }
        }
    }

    /// `users remove`.
    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a user.", discussion: "Example:\n  auditpipe users remove users.txt bob")

        @Argument(help: "Users file.")
        var file: String

        @Argument(help: "User name.")
        var name: String

        func run() throws {
            do {
                try UsersFile.update(file) { (users) throws(UsersFileError) in try users.remove(name: name) }
                print("removed \(name) from \(file)")
            } catch {
                FileHandleStderr.write("auditpipe: \(error)\n")
                throw ExitCode(1)
            }
        }
    }

    /// `users list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List users and roles.", discussion: "Example:\n  auditpipe users list users.txt")

        @Argument(help: "Users file.")
        var file: String

        func run() throws {
            do {
                for u in try UsersFile.load(file).users { print("\(u.name)\t\(u.role.rawValue)") }
            } catch {
                FileHandleStderr.write("auditpipe: \(error)\n")
                throw ExitCode(1)
            }
        }
    }
}
