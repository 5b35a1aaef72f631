/// `auditpipe verify`: checks every archive day — the gzip stream (CRC and length), both SHA-256s, the
/// event count, time range and order, the manifest's day, stray files anywhere (`StrayEntries`) — and the manifest chain from the
/// pruned record through the last day. Reports the first failure: which file, and why.
public enum ArchiveVerifier {
    /// A failed check.
    public struct Failure: Error, Sendable, Equatable {
        /// The file (or directory) at fault.
        public let path: String
        /// What is wrong with it.
        public let reason: String
    }

    /// What a successful verification covered.
    public struct Summary: Sendable {
        public var days = 0
        public var events = 0
        public var pruned = 0
    }

    /// What `verify --public-key` checks besides the hashes: the keys whose signatures count, and the day the
    /// signed head must have reached (`--through`).
    public struct SignatureCheck: Sendable {
        public var keys: [ArchivePublicKey]
        public var through: String?
        /// An operator's `archive --adopt-unsigned`: unsigned manifests of days the signed head covers pass (an
        /// adoption writes its head first and a kill leaves some), their content pinned by the chain to the
        /// head; their `supersedes` is never trusted. An unsigned day after the head's last day was added
        /// without the key and never passes.
        var adopting = false

        /// Creates a check against `keys`.
        public init(keys: [ArchivePublicKey], through: String? = nil) {
            self.keys = keys
            self.through = through
        }
    }

    /// Verifies the archive under `root`: hashes and chain, and with `signatures` every signature, the head
    /// and where the chain ends.
    /// It waits for an archive run in progress to end first.
    public static func verify(root: String, signatures: SignatureCheck? = nil) -> Result<Summary, Failure> {
        let lock = ArchiveLock.shared(root: root)
        defer { withExtendedLifetime(lock) {} }
        return verify(root: root, signatures: signatures, contents: true, finishing: false)
    }

    /// True for a day written `YYYY-MM-DD` (as `--through` takes it).
    public static func isDay(_ text: String) -> Bool { ArchiveLayout.isDay(text) }

    /// True for `YYYY-MM-DD` naming a day of the calendar (`2026-02-30` and `2026-13-01` are not).
    public static func isCalendarDay(_ text: String) -> Bool {
        guard isDay(text) else { return false }
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, (1...12).contains(parts[1]) else { return false }
        return parts[2] >= 1 && parts[2] <= UTCTime.daysInMonth(year: parts[0], month: parts[1])
    }

    /// True when the archive under `root` carries signatures (a head, a signed manifest or pruned record).
    static func isSigned(root: String) -> Bool {
        // An unreadable pruned record counts as unsigned here; verification then names its fault.
        if FileBytes.read(ArchiveHead.path(root)) != nil || (try? PrunedDays.loadSigned(root))?.signature != nil {
            return true
        }
        return ArchiveLayout.archivedDays(root).contains { day in
            FileBytes.read(ArchiveLayout.manifestFile(root, day: day)).flatMap(ArchiveManifest.parse)?.signature != nil
        }
    }

    /// The verification behind `verify` and behind `archive`'s check before it chains. `contents: false`
    /// reads manifests only (archive checks a day's files fully where it reads or prunes them). `finishing`
    /// accepts what a signed run killed part-way leaves, and only that: a day still linked to an earlier point
    /// of the chain (see `earlierLinks`), and a head one version behind (or followed by signed days it does
    /// not name yet).
    static func verify(root: String, signatures: SignatureCheck?, contents: Bool, finishing: Bool)
        -> Result<Summary, Failure>
    {
        var summary = Summary()
        let prunedPath = ArchiveLayout.prunedFile(root)
        let record: PrunedDays.Record
        do throws(ArchiveDocument.Invalid) {
            record = try PrunedDays.loadSigned(root)
        } catch {
            return .failure(Failure(path: prunedPath, reason: "edited: not a valid pruned record: \(error.reason)"))
        }
        let pruned = record.entries
        summary.pruned = pruned.count
        var head: ArchiveHead?
        // The head, with keys or without. Without them its signature is not checked, but a head that is no head is a
        // fault (`archive` refused to run on one while `verify` passed: a new-user trial), the pruned record is held
        // to it, and the chain must end where it says, below: another archive's head put into an unsigned archive
        // passed, as did a signed archive whose newest days were deleted. Deleting the head as well must not get
        // around that: manifests or a pruned record carrying signatures make the archive a signed one, which has a
        // head (a second trial). (`archive`'s own check without keys reads manifests only, `contents: false`.)
        if signatures != nil || contents {
            let headPath = ArchiveHead.path(root)
            if let bytes = FileBytes.read(headPath) {
                let h: ArchiveHead
                do throws(ArchiveDocument.Invalid) {
                    h = try ArchiveHead.decode(bytes)
                } catch {
                    return .failure(Failure(path: headPath, reason: "edited: not a valid head: \(error.reason)"))
                }
                let prunedBytes = FileBytes.read(prunedPath)
                if let check = signatures {
                    guard let signature = h.signature else {
                        return .failure(Failure(path: headPath, reason: "unsigned: the head carries no signature"))
                    }
                    if let problem = signature.problem(h.unsignedBytes, keys: check.keys) {
                        return .failure(Failure(path: headPath, reason: problem))
                    }
                    if let through = check.through, (h.lastDay ?? "") < through {
                        return .failure(
                            Failure(
                                path: headPath,
                                reason:
                                    "older than --through \(through): the signed head's last day is \(h.lastDay ?? "none") (written \(h.runTime)); an old copy of the archive was put back, or archive has not run since"
                            ))
                    }
                    if prunedBytes != nil {
                        guard let prunedSignature = record.signature else {
                            return .failure(
                                Failure(path: prunedPath, reason: "unsigned: the pruned record carries no signature"))
                        }
                        if let problem = prunedSignature.problem(record.body, keys: check.keys) {
                            return .failure(Failure(path: prunedPath, reason: problem))
                        }
                    }
                }
                if let problem = prunedLink(head: h, headBytes: bytes, prunedBytes, record, finishing: finishing) {
                    return .failure(Failure(path: prunedPath, reason: problem))
                }
                head = h
            } else if signatures != nil {
                return .failure(
                    Failure(
                        path: headPath,
                        reason:
                            "missing: a signed archive has a signed head; it was deleted (or the archive was never signed)"
                    ))
            } else if isSigned(root: root) {
                return .failure(
                    Failure(
                        path: headPath,
                        reason:
                            "missing: the archive's manifests carry signatures, and a signed archive has a signed head; it was deleted (or a first signed archive run did not finish: run it again)"
                    ))
            }
        }
        var previous = pruned.last?.manifestSHA256
        // Every link a day could still carry after a killed run: the chain's start, each earlier day's
        // manifest hash and the hash of the version it replaced. A day links to an earlier day than the one
        // before it while days archive inserted in between wait for their successor's re-chain; it links to
        // a replaced version while the day before was re-archived. A deleted day's hash is never among them.
        var earlierLinks: Set<String?> = [previous]
        var previousDay = pruned.last?.day
        var current: [String: (sha: String, supersedes: String?)] = [:]
        for day in ArchiveLayout.archivedDays(root) {
            let manifestPath = ArchiveLayout.manifestFile(root, day: day)
            let (manifest, bytes): (ArchiveManifest, [UInt8])
            switch DayFileCheck.manifest(root: root, day: day) {
            case .success(let read): (manifest, bytes) = read
            case .failure(let f): return .failure(f)
            }
            if let record = pruned.first(where: { $0.day == day }) {
                // Retention records a day before it deletes it: a killed run leaves it recorded and present.
                guard record.manifestSHA256 == ArchiveManifest.sha256(bytes) else {
                    return .failure(
                        Failure(
                            path: prunedPath,
                            reason: "edited: it records another version of \(day) than the archive holds"))
                }
                if finishing { continue }
                return .failure(
                    Failure(
                        path: ArchiveLayout.dayDirectory(root, day: day),
                        reason:
                            "extra: \(day) is recorded as pruned but still here (an archive run did not finish: run archive again)"
                    ))
            }
            if let check = signatures {
                if let signature = manifest.signature {
                    if let problem = signature.problem(manifest.unsignedBytes, keys: check.keys) {
                        return .failure(Failure(path: manifestPath, reason: problem))
                    }
                } else if let headDay = head?.lastDay, day > headDay {
                    // No run leaves an unsigned day past its head: an adoption names the days it found first.
                    return .failure(
                        Failure(
                            path: manifestPath,
                            reason:
                                "unsigned: an unsigned day after the signed head's last day (\(headDay)); it was added without the key, and --adopt-unsigned adopts only days the head covers"
                        ))
                } else if !check.adopting || head?.lastDay == nil {
                    let hint =
                        finishing
                        ? " (slipped in, or an archive run with --adopt-unsigned did not finish: check the archive with verify, then run archive --adopt-unsigned again)"
                        : ""
                    return .failure(
                        Failure(path: manifestPath, reason: "unsigned: an unsigned manifest in a signed archive\(hint)")
                    )
                }
            }
            // The day's files against its manifest once the manifest's signature holds: an edited manifest is
            // named as such, not by the first of its values the files disagree with.
            if contents {
                if let problem = checkDay(root: root, day: day, previous: nil, checkChain: false) {
                    return .failure(problem)
                }
            }
            // What a manifest says it replaced counts only under a signature (or in an unsigned archive).
            let replaced = signatures == nil || manifest.signature != nil ? manifest.supersedesManifestSHA256 : nil
            let unfinished = earlierLinks.contains(manifest.previousManifestSHA256)
            let linked = manifest.previousManifestSHA256 == previous || (finishing && unfinished)
            if !linked && unfinished {
                return .failure(
                    Failure(
                        path: manifestPath,
                        reason:
                            "chain broken: previous_manifest_sha256 names an earlier version of the chain before \(day) (an archive run did not finish: run archive again)"
                    ))
            }
            if !linked {
                let before = previousDay.map { "the manifest of \($0)" } ?? "nothing (it is the first day)"
                return .failure(
                    Failure(
                        path: manifestPath,
                        reason:
                            "chain broken: previous_manifest_sha256 does not match \(before); a day before \(day) is missing, or days were swapped, or an earlier manifest was edited"
                    ))
            }
            previous = ArchiveManifest.sha256(bytes)
            earlierLinks.insert(previous)
            if let replaced { earlierLinks.insert(replaced) }
            previousDay = day
            current[day] = (previous!, replaced)
            summary.days += 1
            summary.events += manifest.events
        }
        // `verify` also names what is not the archive's (an archive run's own check leaves its leftovers to it).
        if contents && !finishing, let stray = StrayEntries.first(in: root) { return .failure(stray) }
        if let head {
            let headPath = ArchiveHead.path(root)
            let lastDay = previousDay
            if head.lastDay == lastDay && head.lastManifestSHA256 == previous { return .success(summary) }
            // What a signed run killed part-way leaves, which the next signed `archive` run accepts and finishes:
            // a head naming no day yet, or a version of a day the chain holds (or held, replaced since).
            var unfinished = true
            if let day = head.lastDay {
                let c = current[day]
                unfinished =
                    c?.sha == head.lastManifestSHA256
                    || (c?.supersedes != nil && c?.supersedes == head.lastManifestSHA256)
                    || pruned.contains(where: { $0.day == day && $0.manifestSHA256 == head.lastManifestSHA256 })
            }
            if finishing && unfinished { return .success(summary) }
            // Only an unfinished run is told to run archive again: anything else, archive refuses the same way.
            let ownHead =
                "to put this archive's own head.json back, take it from a backup or from the copy archive runs with the signing key keep beside the key (KEY.heads/)"
            let reason: String
            if unfinished, let headDay = head.lastDay, headDay != lastDay {
                reason =
                    "head behind: the signed head ends at \(headDay) but days after it follow: an archive run did not finish (run archive again with the signing key: it finishes it), or an older head.json was put back (a rollback, which that run refuses, naming the copy of this archive's last head kept beside the key)"
            } else if unfinished && head.lastDay == nil {
                reason =
                    "head behind: the signed head names no day but the archive holds days: an archive run did not finish (run archive again with the signing key: it finishes it), or an older head.json was put back (a rollback, which that run refuses, naming the copy of this archive's last head kept beside the key)"
            } else if unfinished {
                reason =
                    "chain end differs from the signed head: \(lastDay ?? "no day") is a later version than the one the head names (an archive run did not finish: run archive again)"
            } else if head.lastDay == lastDay {
                reason =
                    "chain end differs from the signed head: \(lastDay ?? "no day") is not the version the head names: the day was replaced or edited after the head was signed (restore it from a backup), or the head is another archive's; \(ownHead)"
            } else if let headDay = head.lastDay, current[headDay] == nil, headDay > (lastDay ?? "") {
                reason =
                    "missing: the signed head names \(headDay) as the last day but the archive ends at \(lastDay ?? "no day"); the newest days were deleted (restore each YYYY/MM/DD link and the DD.<hash> version it names from a backup; with no backup they are lost: keep this archive as the evidence and start a new one with --to a new directory), or the head is another archive's; \(ownHead)"
            } else {
                reason =
                    "replaced: the signed head names a version of \(head.lastDay ?? "no day") that this archive does not hold: it is another archive's head, or a copy's that went another way; \(ownHead)"
            }
            return .failure(Failure(path: headPath, reason: reason))
        }
        return .success(summary)
    }

    /// The pruned record against the head (schema 2 on): the one the head names, or, for an archive run
    /// finishing, one written after it (naming it) by a run killed before its next head. Otherwise a pruned
    /// record put in from another archive or an older copy, or one removed, whose days would pass as pruned.
    private static func prunedLink(
        head: ArchiveHead, headBytes: [UInt8], _ prunedBytes: [UInt8]?, _ record: PrunedDays.Record,
        finishing: Bool
    ) -> String? {
        guard head.version >= 2 else { return nil }
        let actual = prunedBytes.map(ArchiveHead.sha256)
        if actual == head.prunedSHA256 { return nil }
        let followsHead = prunedBytes != nil && record.headSHA256 == ArchiveHead.sha256(headBytes)
        if finishing && followsHead { return nil }
        let unfinished = followsHead ? " (an archive run that pruned did not finish: run archive again)" : ""
        guard prunedBytes != nil else {
            return "missing: the signed head names a pruned record and there is none; it was deleted"
        }
        if head.prunedSHA256 == nil {
            return
                "extra: a pruned record the signed head does not name; it comes from another archive or copy\(unfinished)"
        }
        return
            "replaced: not the pruned record the signed head names; it comes from another archive or an older copy\(unfinished)"
    }

    /// Checks what an archive run just published (or kept) for `day`: the manifest on disk is `expected`, no
    /// file is extra, and the gzip file, re-read in blocks and hashed, is the bytes whose SHA-256 was taken
    /// over the members in memory — each of which the worker that deflated it had inflated and compared with
    /// its input. So what was written and fsynced is what was verified, without inflating the day again.
    static func checkWritten(root: String, day: String, expected: ArchiveManifest) -> Failure? {
        let dir = ArchiveLayout.dayDirectory(root, day: day)
        let gzPath = ArchiveLayout.archiveFile(root, day: day)
        let manifestPath = ArchiveLayout.manifestFile(root, day: day)
        guard let bytes = FileBytes.read(manifestPath), let m = ArchiveManifest.parse(bytes) else {
            return Failure(path: manifestPath, reason: "missing or not a valid manifest right after it was written")
        }
        guard m.sameContent(as: expected) else {
            return Failure(path: manifestPath, reason: "the manifest read back differs from the one written")
        }
        let expectedNames = ["events-\(day).jsonl.gz", "manifest.json"]
        for name in ArchiveLayout.entries(dir) where !expectedNames.contains(name) {
            return Failure(path: dir + "/" + name, reason: "extra file in the archive day \(day)")
        }
        guard let (sha, size) = StagedFile.sha256(of: gzPath) else {
            return Failure(path: gzPath, reason: "missing: cannot read the file just written")
        }
        if size != m.compressedBytes {
            return Failure(path: gzPath, reason: "\(size) bytes read back, \(m.compressedBytes) written")
        }
        if sha != m.gzipSHA256 {
            return Failure(path: gzPath, reason: "the bytes read back are not the verified members written")
        }
        return nil
    }

    /// Checks one day's files against its manifest (and, when asked, the manifest's chain link). The day is
    /// streamed (a chunk of compressed and of inflated bytes at a time, never the whole day).
    static func checkDay(root: String, day: String, previous: String?, checkChain: Bool = true) -> Failure? {
        var check: DayFileCheck
        switch DayFileCheck.open(root: root, day: day) {
        case .success(let c): check = c
        case .failure(let f): return f
        }
        let digest: GzipFileStream.FileDigest
        do throws(GzipFileStream.Failure) {
            digest = try GzipFileStream(path: check.gzPath).read { event in
                guard case .bytes(let b) = event else { return }
                check.append(b)
            }
        } catch {
            return check.failure(error)
        }
        if let problem = check.finish(digest) { return problem }
        if checkChain && check.manifest.previousManifestSHA256 != previous {
            return Failure(path: check.manifestPath, reason: "chain broken: previous_manifest_sha256 does not match")
        }
        return nil
    }
}
