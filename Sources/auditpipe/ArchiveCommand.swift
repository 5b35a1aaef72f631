import ArgumentParser
import AuditPipe
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `auditpipe archive`: the scheduled archival run (cron).
struct ArchiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Roll complete days of live event files into verified gzip archives with chained manifests.",
        discussion: """
            Each complete UTC day of live/events-YYYY-MM-DD.jsonl becomes archive/YYYY/MM/DD/events-YYYY-MM-DD.jsonl.gz \
            (sorted by start then event_id, duplicates dropped, merged with what the day already holds) and \
            manifest.json (counts, first/last start, sizes, SHA-256 of the gzip and of the content, and the \
            SHA-256 of the previous day's manifest), and ARCHIVE/index.sqlite is brought up to date (see \
            auditpipe index --help). Files are written to a temp file, fsynced and renamed, \
            the manifest last; a live file is deleted only after its archive was read back and verified. \
            A run killed at any point is finished by the next one.

            With --signing-key every manifest, pruned.json and head.json (last day, its manifest's SHA-256, run \
            time, tool) are signed with Ed25519, the head at every run. Before it changes anything, archive \
            verifies the existing archive (signatures, chain, head; every day retention would prune in full) \
            and exits 4 naming the problem.

            One run at a time per archive directory: a run holds ARCHIVE/.auditpipe.lock; another waits up to \
            --lock-timeout, then exits 5. A day whose live file a writer (correlate --output-dir) holds open is \
            left for the next run.

            Crontab (nightly at 00:30 UTC):
              LIVE=/var/lib/auditpipe/live
              ARCHIVE=/var/lib/auditpipe/archive
              30 0 * * * auditpipe archive --from $LIVE --to $ARCHIVE --retain 30d
              (and --archive-retain 400d to prune archived days past 400 days)
            """)

    @Option(
        help:
            "Directory of live files (events-YYYY-MM-DD.jsonl, as --output-dir writes them; e.g. --from /var/lib/auditpipe/live)."
    )
    var from: String

    @Option(help: "Archive directory (e.g. --to /var/lib/auditpipe/archive).")
    var to: String

    @Option(name: .customLong("older-than"), help: "Archive a day once it ended this long ago (e.g. 1d, 2h).")
    var olderThan = DurationArgument(argument: "1d")!

    @Option(help: "Delete a live file once archived and its day ended this long ago (0 = at once; e.g. --retain 30d).")
    var retain = DurationArgument(argument: "0")!

    @Option(
        name: .customLong("archive-retain"),
        help:
            "Prune archive days that ended longer ago than this (recorded in pruned.json; e.g. --archive-retain 400d).")
    var archiveRetain: DurationArgument?

    @Option(help: "gzip level, 1 (fast) to 9 (small) (e.g. --level 9).")
    var level: Int32 = 6

    @Option(
        name: .customLong("lock-timeout"),
        help:
            "Wait this long for another archive run that holds ARCHIVE/.auditpipe.lock (e.g. 30s; 0 = exit 5 at once).")
    var lockTimeout = DurationArgument(argument: "0")!

    @Option(
        name: .customLong("signing-key"),
        help:
            "Sign every manifest, the pruned record and the head with this key (auditpipe keys generate DIR; e.g. --signing-key keys/private.pem)."
    )
    var signingKey: String?

    @Option(
        name: .customLong("public-key"),
        help:
            "An older key whose signatures the archive may carry (key rotation); repeatable. Needs --signing-key (e.g. --public-key old/public.pem)."
    )
    var publicKeys: [String] = []

    @Option(
        name: .customLong("head-record"),
        help:
            "With --signing-key: keep the last signed head written for this archive in this file, and refuse an archive whose head is older (rolled back). Default: beside the key, KEY.heads/<archive path hash>.json (e.g. --head-record /var/lib/auditpipe/keys/archive.head)."
    )
    var headRecord: String?

    @Flag(
        name: .customLong("adopt-unsigned"),
        help:
            "With --signing-key: sign an archive that holds days but no signature yet, once, after checking it with verify (a signing run refuses it otherwise: its signatures may have been stripped; e.g. --signing-key k.pem --adopt-unsigned). Said again, it finishes an adoption that was killed."
    )
    var adoptUnsigned = false

    @Flag(name: .shortAndLong, help: "No progress or summary on stderr (e.g. -q in cron).")
    var quiet = false

    func validate() throws {
        guard (1...9).contains(level) else { throw ValidationError("--level must be 1 to 9") }
        if !publicKeys.isEmpty && signingKey == nil {
            throw ValidationError("--public-key names older keys of a signed archive: give --signing-key too")
        }
    }

    func run() throws {
        var options = ArchiveRun.Options(
            liveDirectory: from, archiveDirectory: to, now: Int64(time(nil)) * UTCTime.second)
        options.olderThan = olderThan.nanoseconds
        options.retainLive = retain.nanoseconds
        options.retainArchive = archiveRetain?.nanoseconds
        options.level = level
        options.lockTimeout = lockTimeout.nanoseconds
        do throws(ArchiveKeyError) {
            options.signingKey = try signingKey.map(ArchiveSigningKey.load)
            options.signingKeyPath = signingKey
            options.headRecord = headRecord
            options.trustedKeys = try publicKeys.map(ArchivePublicKey.load)
            options.adoptUnsigned = adoptUnsigned
        } catch {
            FileHandleStderr.write("auditpipe: \(error)\n")
            throw ExitCode(1)
        }
        let quiet = self.quiet
        let started = RunClock.seconds()
        let terminal = isatty(2) == 1
        var indexFailure: IndexUpdateError?
        do {
            let report = try ArchiveRun(options: options) { r in
                guard !quiet, let day = r.daysArchived.last else { return }
                FileHandleStderr.write(
                    ProgressLine.text(r, day: day, seconds: RunClock.seconds() - started, bar: terminal))
            }.run()
            if !quiet && terminal && !report.daysArchived.isEmpty { FileHandleStderr.write("\n") }
            if report.daysAdopted > 0 {
                FileHandleStderr.write(
                    "auditpipe: signed \(report.daysAdopted) day\(report.daysAdopted == 1 ? "" : "s") the archive held unsigned (--adopt-unsigned)\n"
                )
            }
            for (file, lines) in report.conflictsKept {
                FileHandleStderr.write(
                    "auditpipe: kept \(lines) line\(lines == 1 ? "" : "s") in \(file), not archived: each has the event_id of an archived event (or of an earlier line) with other content; the archived event stands\n"
                )
            }
            for (day, file, lines, pruned) in report.lateKept {
                let why =
                    pruned
                    ? "\(day) was pruned (--archive-retain) and is not archived again"
                    : "\(day) is past --archive-retain (it would be pruned at once)"
                FileHandleStderr.write(
                    "auditpipe: kept \(lines) line\(lines == 1 ? "" : "s") in \(file), not archived: \(why)\n")
            }
            for day in report.daysLeftInUse {
                FileHandleStderr.write(
                    "auditpipe: left \(day) for the next run: a writer holds \(from)/events-\(day).jsonl\n")
            }
            if !quiet {
                FileHandleStderr.write(
                    "auditpipe: archive done: \(report.daysArchived.count) days, \(report.eventsArchived) events (\(report.duplicatesDropped) duplicates dropped, \(report.conflictsKept.reduce(0) { $0 + $1.lines }) conflicting lines kept aside\(report.lateKept.isEmpty ? "" : ", \(report.lateKept.reduce(0) { $0 + $1.lines }) lines for pruned days kept aside")), \(report.liveFilesDeleted.count) live files deleted, \(report.daysPruned.count) days pruned\n"
                )
            }
            if !quiet, let index = report.index {
                FileHandleStderr.write("auditpipe: \(IndexCommand.describe(index, archive: to))\n")
            }
            indexFailure = report.indexFailure
        } catch {
            FileHandleStderr.write("auditpipe: archive failed: \(error)\n")
            throw ExitCode(error.exitCode)
        }
        if let indexFailure {
            FileHandleStderr.write(
                "auditpipe: the archive is complete, but its index could not be updated: \(indexFailure); query scans until auditpipe index \(to) succeeds\n"
            )
            throw ExitCode(indexFailure.exitCode)
        }
    }
}

/// `auditpipe verify`: checks an archive; exit 0 when every check holds, 4 otherwise.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract:
            "Check every archive day's gzip stream, hashes, counts and the manifest chain, and the index (exit 4 on failure).",
        discussion: """
            When ARCHIVE/index.sqlite exists, verify also checks it agrees with the archive: the same days with \
            the same gzip files, and for every archived event exactly the row a fresh build would write (a \
            missing, extra or wrong row, or a day archived or pruned since the index was built, fails with \
            exit 4 and says which). No index is fine: verify says "no index".

            Examples:
              auditpipe verify archive/
              auditpipe verify archive/ --public-key keys/auditpipe-signing.pub \\
                  --through 2026-11-30
              auditpipe verify archive/ -q && echo intact
            """)

    @Argument(help: "Archive directory.")
    var archive: String

    @Option(
        name: .customLong("public-key"),
        help:
            "Check every signature against these keys (repeatable: old and new key after a rotation), e.g. --public-key /etc/auditpipe/auditpipe-signing.pub."
    )
    var publicKeys: [String] = []

    @Option(
        help:
            "Fail when the signed head's last day is before this day: an old copy put back (e.g. --through 2026-11-21)."
    )
    var through: String?

    @Flag(name: .shortAndLong, help: "Print nothing when it holds (e.g. -q in cron).")
    var quiet = false

    static let unsignedNote =
        "auditpipe: note: signatures were not checked (give --public-key to check a signed archive)\n"

    func validate() throws {
        if let through, !ArchiveVerifier.isCalendarDay(through) {
            throw ValidationError("--through takes a day of the calendar, YYYY-MM-DD; got '\(through)'")
        }
        if through != nil && publicKeys.isEmpty { throw ValidationError("--through needs --public-key") }
    }

    func run() throws {
        var check: ArchiveVerifier.SignatureCheck?
        if !publicKeys.isEmpty {
            do throws(ArchiveKeyError) {
                check = ArchiveVerifier.SignatureCheck(
                    keys: try publicKeys.map(ArchivePublicKey.load), through: through)
            } catch {
                FileHandleStderr.write("auditpipe: \(error)\n")
                throw ExitCode(1)
            }
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: archive, isDirectory: &isDirectory), isDirectory.boolValue else {
            // A typo in a cron check must not pass as an empty archive.
            FileHandleStderr.write("auditpipe: \(archive): no archive directory there\n")
            throw ExitCode(4)
        }
        switch ArchiveVerifier.verify(root: archive, signatures: check) {
        case .success(let s):
            let index: String
            switch ArchiveIndex.check(archive: archive) {
            case .noIndex: index = "no index"
            case .agrees(let days, let events):
                index = "index agrees (\(days) day\(days == 1 ? "" : "s"), \(events) rows)"
            case .disagrees(let f):
                FileHandleStderr.write("auditpipe: verify failed: \(f.path): \(f.reason)\n")
                throw ExitCode(4)
            }
            if !quiet {
                FileHandleStderr.write(
                    "auditpipe: verified \(s.days) days, \(s.events) events, chain intact (\(s.pruned) pruned days recorded)\(check == nil ? "" : ", signatures and head valid"); \(index)\n"
                )
            }
            if check == nil && !quiet { FileHandleStderr.write(Self.unsignedNote) }
        case .failure(let f):
            FileHandleStderr.write("auditpipe: verify failed: \(f.path): \(f.reason)\n")
            if check == nil { FileHandleStderr.write(Self.unsignedNote) }
            throw ExitCode(4)
        }
    }
}

/// The archive's progress: a bar redrawn in place on a terminal, a plain line per day otherwise.
enum ProgressLine {
    static func text(_ r: ArchiveRun.Report, day: String, seconds: Double, bar: Bool) -> String {
        let s = max(0.001, seconds)
        let fraction = r.liveBytesTotal > 0 ? Double(r.liveBytesDone) / Double(r.liveBytesTotal) : 1
        let rate = Double(r.liveBytesDone) / 1e6 / s
        let eta = fraction > 0 ? Int(s / fraction - s) : 0
        let figures =
            "\(Int(fraction * 100))% \(r.liveBytesDone / 1_000_000)/\(r.liveBytesTotal / 1_000_000) MB, \(String(Int(rate))) MB/s, \(Int(Double(r.eventsArchived) / s)) events/s, ETA \(eta / 60):\(eta % 60 < 10 ? "0" : "")\(eta % 60)"
        if bar {
            let filled = Int(fraction * 30)
            return
                "\r[\(String(repeating: "#", count: filled))\(String(repeating: ".", count: 30 - filled))] \(figures) (\(day))"
        }
        return "auditpipe: archived \(day): \(figures)\n"
    }
}

/// Monotonic seconds, for rates.
enum RunClock {
    static func seconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// `auditpipe keys generate DIR`: the Ed25519 key pair that signs archives.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage the keys that sign archives.",
        subcommands: [Generate.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write DIR/auditpipe-signing.key (mode 0600) and DIR/auditpipe-signing.pub.",
            discussion: """
                Keep the .key on the host that runs archive (archive --signing-key DIR/auditpipe-signing.key); \
                give the .pub to whoever verifies (verify --public-key DIR/auditpipe-signing.pub). An existing \
                key is never overwritten.

                Example: auditpipe keys generate /etc/auditpipe
                """)

        @Argument(help: "Directory for the key pair (created when missing).")
        var directory: String

        func run() throws {
            let key = ArchiveSigningKey.generate()
            do throws(ArchiveKeyError) {
                try key.write(to: directory)
            } catch {
                FileHandleStderr.write("auditpipe: \(error)\n")
                throw ExitCode(1)
            }
            FileHandleStderr.write(
                "auditpipe: wrote \(directory)/\(ArchiveSigningKey.privateFileName) (keep it secret) and \(directory)/\(ArchiveSigningKey.publicFileName) (key id \(key.publicKey.keyID))\n"
            )
        }
    }
}
