import ArgumentParser
import AuditPipe

/// `auditpipe index`: builds or updates the SQLite index beside an archive.
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Build or update ARCHIVE/index.sqlite, the index query and serve read archives through.",
        discussion: """
            One row per archived event (start, end, user, user id, ip, origin, action, entity type and id, \
            access kind, file type, status, result, services, request and event id, API method, path and \
            route) with where its line lives (day, gzip member, offset), and per day an FTS5 trigram table \
            of the lines for free text. The gzip day files stay the source of truth: every event a query \
            finds through the index is read back from its archive and checked against the real filter, so \
            answers are the scan's.

            An update indexes new days, re-indexes days whose gzip file changed (late events merged) and drops pruned days; the \
            others are kept. archive runs it at the end of every run, so this command is for a first index, \
            a --rebuild, or an archive copied from elsewhere. A fresh build is written to index.sqlite.tmp, \
            fsynced and renamed; an update is one SQLite transaction: a crash leaves the old index or the \
            new one. It takes the archive's lock (exit 5 when an archive run holds it past --lock-timeout).

            Each day it indexes is checked as verify checks it (the gzip stream, the file's size and hash \
            and the content's, the count, every line an event of that day, the manifest itself); a day that \
            fails leaves the index as it was, with verify's reason and exit 4. The manifest chain and \
            signatures are verify's alone.

            verify checks the index agrees with the archive; query --scan reads the day files instead. \
            Deleting index.sqlite is always safe: query then scans.

            Exit codes: 0 done, 2 no such archive directory, 3 the index could not be written, 4 a day fails \
            verification (the archive is damaged: run auditpipe verify), 5 an archive run holds the lock.

            Examples:
              auditpipe index archive/
              auditpipe index archive/ --rebuild
              auditpipe index archive/ --lock-timeout 5m -q
            """)

    @Argument(help: "Archive directory (as archive --to writes it), e.g. archive/.")
    var archive: String

    @Flag(help: "Build from scratch instead of updating, e.g. --rebuild after an upgrade or a failed verify.")
    var rebuild = false

    @Option(
        name: .customLong("lock-timeout"),
        help: "Wait this long for an archive run that holds ARCHIVE/.auditpipe.lock, e.g. --lock-timeout 30s.")
    var lockTimeout: String = "0"

    @Flag(name: .shortAndLong, help: "No summary on stderr, e.g. -q in cron.")
    var quiet = false

    func validate() throws {
        if DurationText.parse(lockTimeout) == nil {
            throw ValidationError("--lock-timeout takes a duration like 30s or 5m; got '\(lockTimeout)'")
        }
    }

    func run() throws {
        guard ArchiveIndex.isArchiveDirectory(archive) else {
            FileHandleStderr.write("auditpipe: input error: \(archive): no such archive directory\n")
            throw ExitCode(2)
        }
        do {
            let update = try ArchiveIndex.update(
                archive: archive, rebuild: rebuild, lockTimeout: DurationText.parse(lockTimeout)!)
            if !quiet { FileHandleStderr.write("auditpipe: \(Self.describe(update, archive: archive))\n") }
        } catch {
            if case .unverified(let f) = error {
                FileHandleStderr.write(
                    "auditpipe: index failed: the archive fails verification (the index was left as it was; run auditpipe verify): \(f.path): \(f.reason)\n"
                )
            } else {
                FileHandleStderr.write("auditpipe: index failed: \(error)\n")
            }
            throw ExitCode(error.exitCode)
        }
    }

    /// One line saying what an update did.
    static func describe(_ u: ArchiveIndex.Update, archive: String) -> String {
        let days = u.daysIndexed.count
        return
            "index \(u.rebuilt ? "built" : "updated"): \(days) day\(days == 1 ? "" : "s") indexed (\(u.eventsIndexed) events), \(u.daysUnchanged) unchanged, \(u.daysRemoved.count) removed: \(ArchiveIndex.path(archive: archive))"
    }
}
