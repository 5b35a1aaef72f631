import ArgumentParser
import AuditPipe

// mimalloc replaces malloc for the process (Package.swift says why); importing the module links it.
#if canImport(CMimalloc)
    import CMimalloc
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// The `auditpipe` command: subcommands map flags to a pipeline and print; the library does the work.
@main
struct AuditPipeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auditpipe",
        abstract: "Turn microservice logs and API payload records into grouped audit events.",
        discussion: """
            Exit codes: 0 ok, 1 bad usage or configuration, 2 input errors (unreadable input, or more \
            dead-lettered lines than --max-dead-letters), 3 output failure, 4 archive verification failed, 5 locked (another archive run holds the archive), 130/143 stopped by SIGINT/SIGTERM (open groups written first; a second signal half a second later kills the run by that signal).
            """,
        version: AuditPipeVersion.number,
        subcommands: [
            CorrelateCommand.self, FilterCommand.self, RunCommand.self, ValidateCommand.self, TestCommand.self,
            ArchiveCommand.self, VerifyCommand.self, KeysCommand.self, QueryCommand.self, SummaryCommand.self,
            IndexCommand.self,
            DemoCommand.self,
            ServeCommand.self, UsersCommand.self,
        ]
    )

    /// Runs the command, mapping usage errors to exit code 1 as DESIGN.md's exit codes say.
    static func main() async {
        signal(SIGPIPE, SIG_IGN)
        // Every input of a batch run is open at once (the k-way merge reads them together): allow as many
        // descriptors as the hard limit does.
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Glibc.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Glibc.exit(0)
            }
            FileHandleStderr.write(fullMessage(for: error) + "\n")
            Glibc.exit(code == .validationFailure || code == .failure ? 1 : code.rawValue)
        }
    }
}

/// Writes text to standard error.
enum FileHandleStderr {
    static func write(_ text: String) {
        var t = text
        t.withUTF8 { p in _ = Glibc.write(2, p.baseAddress, p.count) }
    }
}
