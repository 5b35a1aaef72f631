import Crypto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `auditpipe archive`: rolls complete days of live event files into verified gzip archives with chained
/// manifests, then applies retention. Every step is atomic (temp file, fsync, rename, fsync directory;
/// the manifest last; a live file deleted only after its archive was re-read and verified), and the run
/// is idempotent, so a run killed at any point is finished by the next one.
public struct ArchiveRun {
    /// Settings of a run.
    public struct Options: Sendable {
        public var liveDirectory: String
        public var archiveDirectory: String
        /// A day is archived once its end is this far in the past.
        public var olderThan: Int64 = 86_400 * UTCTime.second
        /// Live files are deleted once archived and their day ended this long ago (0: at once).
        public var retainLive: Int64 = 0
        /// Archive days whose end is older than this are pruned (nil: kept forever).
        public var retainArchive: Int64?
        /// zlib level 1–9.
        public var level: Int32 = 6
        /// Now, UTC nanoseconds.
        public var now: Int64
        public var toolVersion = AuditPipeVersion.tool
        /// How long to wait for another run that holds the archive directory's lock (0: do not wait).
        public var lockTimeout: Int64 = 0
        /// Signs every manifest, the pruned record and the head (nil: an unsigned archive).
        public var signingKey: ArchiveSigningKey?
        /// The signing key's file: a signing run keeps a copy of the last head it wrote for the archive
        /// beside it (`headRecordPath`), unless `headRecord` names the file.
        public var signingKeyPath: String?
        /// The file that keeps the last head a signing run wrote for this archive (nil: beside the key).
        public var headRecord: String?
        /// Older keys whose signatures the archive may still carry (key rotation), besides the signing key's.
        public var trustedKeys: [ArchivePublicKey] = []
        /// Sign an archive that holds days but no signature yet (said once, by an operator who checked it):
        /// without it a signing run refuses such an archive, whose signatures may have been stripped.
        public var adoptUnsigned = false
        /// Bring `ARCHIVE/index.sqlite` up to date at the end of the run (under the lock), creating it when
        /// missing.
        public var updateIndex = true
        /// Uncompressed bytes per gzip member (tests make it small to cut a small day into many members).
        var memberBytes = ParallelGzip.chunkBytes
        /// Tests only: the member (from 0) whose bytes are damaged after deflating, before its check.
        var damageMember: Int?

        /// Creates options for a run from `live` into `archive` at `now`.
        public init(liveDirectory: String, archiveDirectory: String, now: Int64) {
            self.liveDirectory = liveDirectory
            self.archiveDirectory = archiveDirectory
            self.now = now
        }
    }

    /// What a run did.
    public struct Report: Sendable {
        public var daysArchived: [String] = []
        public var eventsArchived = 0
        public var duplicatesDropped = 0
        /// Days an unsigned archive held that this run signed (`--adopt-unsigned`).
        public var daysAdopted = 0
        /// Lines not archived because their event_id is an archived event's (or an earlier line's) with other
        /// content, by the file in the live directory that keeps them; the archived event stands.
        public var conflictsKept: [(file: String, lines: Int)] = []
        /// Lines of live files for days already pruned, or past `--archive-retain`, by the file in the live
        /// directory that keeps them (`pruned`: the day was pruned before): such a day is not archived.
        public var lateKept: [(day: String, file: String, lines: Int, pruned: Bool)] = []
        public var liveFilesDeleted: [String] = []
        /// Due days left for the next run because a writer held their live file.
        public var daysLeftInUse: [String] = []
        public var daysPruned: [String] = []
        public var uncompressedBytes: Int64 = 0
        public var compressedBytes: Int64 = 0
        /// Live bytes this run archives in all, and those done so far (for progress and ETA).
        public var liveBytesTotal: Int64 = 0
        public var liveBytesDone: Int64 = 0
        /// What the index update did (nil when it was not run or failed).
        public var index: ArchiveIndex.Update?
        /// Why the index update failed (the archive itself is complete either way).
        public var indexFailure: IndexUpdateError?
    }

    let options: Options
    /// Called after each day with the report so far (for progress lines).
    let progress: (Report) -> Void

    /// Creates a run.
    public init(options: Options, progress: @escaping (Report) -> Void = { _ in }) {
        self.options = options
        self.progress = progress
    }

    /// Runs the job under the archive directory's lock.
    public func run() throws(ArchiveRunError) -> Report {
        // A head record named by hand goes in a directory that is there: a mistyped one would keep this run's head
        // where no later run looks, and the roll-back check would pass unseen.
        if let record = options.headRecord {
            let dir = record.lastIndex(of: "/").map { String(record[..<$0]) } ?? "."
            var st = stat()
            guard stat(dir.isEmpty ? "/" : dir, &st) == 0, st.st_mode & S_IFMT == S_IFDIR else {
                throw .output(
                    OutputError(
                        path: record,
                        message: "the head record's directory \(dir) does not exist (a mistyped path would keep the"
                            + " head where no later run looks); create it, or leave --head-record out to keep it"
                            + " beside the key"
                    ))
            }
        }
        ArchiveLayout.makeDirectories(options.archiveDirectory)
        let lock = try ArchiveLock.acquire(root: options.archiveDirectory, timeout: options.lockTimeout)
        defer { withExtendedLifetime(lock) {} }
        removeTemporaryFiles()
        if let failure = checkBeforeChaining() { throw .unverified(failure) }
        // Only now: a version directory nothing links to may be what an operator restores a deleted day from.
        DayDirectory.removeOrphans(root: options.archiveDirectory)
        var report: Report
        do throws(OutputError) {
            report = try runLocked()
        } catch {
            throw .output(error)
        }
        if options.updateIndex {
            do throws(IndexUpdateError) {
                report.index = try ArchiveIndex.updateLocked(root: options.archiveDirectory, rebuild: false)
            } catch {
                report.indexFailure = error
            }
        }
        return report
    }

    /// What must hold before the run changes anything: a signed archive verifies (manifests, signatures,
    /// chain, head; a state a killed run left is accepted and finished), an unsigned one is not signed in
    /// parts, and every day this run merges live events into or prunes verifies in full (so a tampered
    /// day is never merged into a newly signed version, nor pruned).
    private func checkBeforeChaining() -> ArchiveVerifier.Failure? {
        let root = options.archiveDirectory
        // In every mode: a run that read an invalid pruned record as empty would rewrite it without its days.
        do throws(ArchiveDocument.Invalid) {
            _ = try PrunedDays.loadSigned(root)
        } catch {
            return ArchiveVerifier.Failure(
                path: ArchiveLayout.prunedFile(root), reason: "edited: not a valid pruned record: \(error.reason)")
        }
        if let key = options.signingKey {
            // The head against the key's record once it has verified (a forged head is named as such); a missing
            // head first (the record names what was there).
            let hasHead = FileBytes.read(ArchiveHead.path(root)) != nil
            if !hasHead, let failure = checkHeadRecord() { return withRecordedHead(failure) }
            let result: Result<ArchiveVerifier.Summary, ArchiveVerifier.Failure>
            if hasHead {
                var check = ArchiveVerifier.SignatureCheck(keys: [key.publicKey] + options.trustedKeys)
                check.adopting = options.adoptUnsigned
                result = ArchiveVerifier.verify(root: root, signatures: check, contents: false, finishing: true)
            } else if ArchiveVerifier.isSigned(root: root) {
                return ArchiveVerifier.Failure(
                    path: ArchiveHead.path(root),
                    reason: "missing: the archive carries signatures but no head; the head was deleted")
            } else if !ArchiveLayout.archivedDays(root).isEmpty && !options.adoptUnsigned {
                // Stripping every signature and the head must not get an archive re-signed as it now is.
                return ArchiveVerifier.Failure(
                    path: ArchiveHead.path(root),
                    reason:
                        "missing: the archive holds days but no signed head (never signed, or its signatures were removed); check it with verify, then sign it once with archive --adopt-unsigned"
                )
            } else {
                // An unsigned archive becomes signed: its chain must hold as it is.
                result = ArchiveVerifier.verify(root: root, signatures: nil, contents: false, finishing: false)
            }
            if case .failure(let failure) = result { return withRecordedHead(failure) }
            if hasHead, let failure = checkHeadRecord() { return withRecordedHead(failure) }
        } else if ArchiveVerifier.isSigned(root: root) {
            return ArchiveVerifier.Failure(
                path: root,
                reason: "the archive is signed: run archive with --signing-key (and --public-key for older keys)"
            )
        }
        let due = Set(dueLiveDays())
        for day in ArchiveLayout.archivedDays(root) {
            guard isPastRetention(day) || due.contains(day) else { continue }
            if let failure = ArchiveVerifier.checkDay(root: root, day: day, previous: nil, checkChain: false) {
                return failure
            }
        }
        return nil
    }

    /// The file that keeps the last head this run's key wrote for the archive: `headRecord`, else beside the
    /// signing key, one per archive (`KEY.heads/<SHA-256 of the archive's real path, 16 hex>.json`), where a
    /// person who can change the archive but not the key's directory cannot put an older head back.
    func headRecordPath() -> String? {
        if let record = options.headRecord { return record }
        guard let key = options.signingKeyPath else { return nil }
        var real = options.archiveDirectory
        if let resolved = realpath(options.archiveDirectory, nil) {
            real = String(cString: resolved)
            free(resolved)
        }
        return key + ".heads/" + ArchiveManifest.sha256(Array(real.utf8)).prefix(16) + ".json"
    }

    /// A failure of the archive's head, with the command that puts the last head this key wrote for the archive
    /// back when that head names the archive as it is (only the head was deleted, put back or swapped): advice
    /// that ends, where "run archive again" or "remove the record" would lead back to a refusal.
    private func withRecordedHead(_ failure: ArchiveVerifier.Failure) -> ArchiveVerifier.Failure {
        let root = options.archiveDirectory
        let headPath = ArchiveHead.path(root)
        guard failure.path == headPath, let path = headRecordPath(), let bytes = FileBytes.read(path),
            FileBytes.read(headPath) != bytes, let recorded = try? ArchiveHead.decode(bytes),
            let day = ArchiveLayout.archivedDays(root).last, recorded.lastDay == day,
            recorded.lastManifestSHA256
                == FileBytes.read(ArchiveLayout.manifestFile(root, day: day)).map(ArchiveManifest.sha256),
            recorded.version < 2
                || recorded.prunedSHA256 == FileBytes.read(ArchiveLayout.prunedFile(root)).map(ArchiveHead.sha256)
        else { return failure }
        return ArchiveVerifier.Failure(
            path: failure.path,
            reason: failure.reason
                + "; the last head this key wrote for the archive names it as it is now: cp \(path) \(headPath)")
    }

    /// The archive's head against the last head this key wrote for it: the same, or a later one (a run killed
    /// after it wrote the archive's head and before it kept the copy). An older head is an old copy put back or
    /// newest days deleted, which the archive alone cannot show: a head is validly signed whenever it was.
    private func checkHeadRecord() -> ArchiveVerifier.Failure? {
        guard let path = headRecordPath(), let bytes = FileBytes.read(path) else { return nil }
        let recorded: ArchiveHead
        do throws(ArchiveDocument.Invalid) {
            recorded = try ArchiveHead.decode(bytes)
        } catch {
            return ArchiveVerifier.Failure(path: path, reason: "not a valid head record: \(error.reason)")
        }
        let headPath = ArchiveHead.path(options.archiveDirectory)
        let was = "last day \(recorded.lastDay ?? "none"), written \(recorded.runTime), kept in \(path)"
        guard let archivedBytes = FileBytes.read(headPath) else {
            return ArchiveVerifier.Failure(
                path: headPath,
                reason:
                    "missing: this key signed the archive before (its last head: \(was)); the head and signatures were removed or the archive replaced; for an archive replaced on purpose, remove \(path)"
            )
        }
        // A head that does not decode is named by the verification that follows.
        guard archivedBytes != bytes, let archived = try? ArchiveHead.decode(archivedBytes) else { return nil }
        // The record is written just after the head: the archive's head is the recorded one, or (a run killed
        // in between) the one that names it as the head it replaced. Schema 1 heads name none: between two
        // of them only the time and last day can be compared.
        if archived.version >= 2 {
            if archived.previousHeadSHA256 == ArchiveHead.sha256(bytes) { return nil }
        } else if recorded.version < 2 && archived.runTime >= recorded.runTime
            && (archived.lastDay ?? "") >= (recorded.lastDay ?? "")
        {
            return nil
        }
        // Rolled back or replaced: by the chain where it is known (the head the record replaced, or one the list
        // of this key's heads for the archive holds), by time only for heads written before any list was kept.
        let earlier: Bool
        if archived.version >= 2 && recorded.previousHeadSHA256 == ArchiveHead.sha256(archivedBytes) {
            earlier = true
        } else if let chain = HeadChain.load(record: path) {
            earlier = chain.holds(archived, bytes: archivedBytes)
        } else {
            earlier = archived.version < 2 || archived.runTime < recorded.runTime
        }
        if !earlier {
            return ArchiveVerifier.Failure(
                path: headPath,
                reason:
                    "replaced: the signed head does not follow the last head this key wrote for the archive (\(was)): another archive signed with this key, or a copy that went another way, was put in its place; restore the archive, or, for a replacement made on purpose, remove \(path)"
            )
        }
        return ArchiveVerifier.Failure(
            path: headPath,
            reason:
                "rolled back: the signed head (last day \(archived.lastDay ?? "none"), written \(archived.runTime)) is older than the last head this key wrote for the archive (\(was)): an old copy of the head or of the archive was put back, or its newest days were deleted; restore them, or, for a restore made on purpose, remove \(path)"
        )
    }

    /// True when `day` ended `--archive-retain` ago or longer (retention prunes it); false without retention.
    private func isPastRetention(_ day: String) -> Bool {
        options.retainArchive.map { $0 <= options.now.minus(saturating: dayEnd(day)) } ?? false
    }

    /// Days with a live file whose day ended `olderThan` ago.
    private func dueLiveDays() -> [String] {
        ArchiveLayout.entries(options.liveDirectory).compactMap(ArchiveLayout.day(ofLiveName:)).filter {
            dayEnd($0).plus(saturating: options.olderThan) <= options.now
        }
    }

    private func runLocked() throws(OutputError) -> Report {
        var report = Report()
        if let key = options.signingKey {
            let root = options.archiveDirectory
            // A first signed run (or an adoption) writes its head before it signs anything: killed later, it
            // leaves a head the next run finishes from, never signatures without a head (a deleted head).
            if FileBytes.read(ArchiveHead.path(root)) == nil { try writeHead(signer: key) }
            // An adoption signs the days it found, and moves the head onto them, before it merges anything: a
            // day merged first and re-signed after would name the merged version as the one it replaced, not
            // the one the head names, and a run killed in between could not be finished.
            let unsigned = ArchiveLayout.archivedDays(root).contains { day in
                FileBytes.read(ArchiveLayout.manifestFile(root, day: day)).flatMap(ArchiveManifest.parse)?.signature
                    == nil
            }
            if options.adoptUnsigned && unsigned {
                report.daysAdopted += try rechain()
                try writeHead(signer: key)
            }
        }
        let due = dueLiveDays()
        report.liveBytesTotal = due.reduce(0) {
            $0 + fileSize(options.liveDirectory + "/" + ArchiveLayout.liveName(day: $1))
        }
        // Live files archived this run, held locked (so no writer appends to one meanwhile) until they are
        // deleted at the end.
        var archivedLive: [(fd: Int32, path: String)] = []
        defer { for live in archivedLive { close(live.fd) } }
        let prunedAlready = Set(try prunedDays().entries.map(\.day))
        for day in due {
            let livePath = options.liveDirectory + "/" + ArchiveLayout.liveName(day: day)
            let liveBytes = fileSize(livePath)
            // The live file is held locked from reading it until it is deleted (or kept): a writer that
            // wants it meanwhile waits, then finds it gone and starts a new file for the next run.
            let fd: Int32
            switch LiveFileLock.take(livePath) {
            case .taken(let descriptor): fd = descriptor
            case .busy:
                report.daysLeftInUse.append(day)
                continue
            case .missing: continue
            }
            // Closed here unless handed to `archivedLive`, also when the day fails (a descriptor left open
            // would keep the lock, and a later run in this process would find the file busy).
            var handedOver = false
            defer { if !handedOver { close(fd) } }
            // A day retention pruned, or would prune at the end of this run, is not archived: its lines would
            // be deleted with it without having been in the signed chain (or, once pruned, make a new version
            // of a day the pruned record names). They are kept aside.
            if prunedAlready.contains(day) || isPastRetention(day) {
                let lines = (FileBytes.read(livePath) ?? []).split(separator: 10).map { Array($0) }
                let kept = try keepAside(lines, name: ArchiveLayout.lateName(day: day))
                report.lateKept.append((day, kept, lines.count, prunedAlready.contains(day)))
            } else {
                try archive(
                    day: day, live: DaySource(descriptor: fd, name: livePath), livePath: livePath, into: &report)
            }
            CrashPoint.reached("day archived")
            if dayEnd(day) + options.retainLive <= options.now {
                archivedLive.append((fd, livePath))
                handedOver = true
            }
            report.liveBytesDone += liveBytes
            progress(report)
        }
        try prune(into: &report)
        report.daysAdopted += try rechain()
        if let key = options.signingKey { try writeHead(signer: key) }
        // Live files go only once the chain and the signed head hold their days: a run killed before leaves
        // them for the next run to merge again (duplicates dropped), so a day deleted from the archive after a
        // kill, before any head named it, is never the only copy lost.
        for live in archivedLive {
            guard unlink(live.path) == 0 || errno == ENOENT else {
                throw OutputError(path: live.path, message: "cannot delete: \(String(cString: strerror(errno)))")
            }
            AtomicFile.syncDirectory(options.liveDirectory)
            report.liveFilesDeleted.append(live.path)
            CrashPoint.reached("live file deleted")
        }
        return report
    }

    /// Merges the day's live events into its archive (de-duplicated by event id, sorted by start then id):
    /// members deflated and each checked on the worker threads, written in order to a staged file as they
    /// come, then archive and manifest published, and the file read back and its hash compared.
    private func archive(day: String, live: DaySource, livePath: String, into report: inout Report)
        throws(OutputError)
    {
        let root = options.archiveDirectory
        let gzPath = ArchiveLayout.archiveFile(root, day: day)
        // The archived lines first: of two lines with one event_id the first source's is kept.
        var sources: [DaySource] = []
        let manifestPath = ArchiveLayout.manifestFile(root, day: day)
        let existingManifest = FileBytes.read(manifestPath)
        if let existing = FileBytes.read(gzPath) {
            do throws(InputError) {
                sources.append(DaySource(bytes: try GzipMembers.inflate(existing, name: gzPath), name: gzPath))
            } catch {
                throw OutputError(
                    path: gzPath, message: "the existing archive is damaged (\(error.message)); run auditpipe verify")
            }
        }
        sources.append(live)
        var merge = try DayMerge(sources, source: livePath, day: day)
        let staged = try StagedFile(path: DayDirectory.stagingFile(root: root, day: day))
        var published = false
        defer { if !published { unlink(staged.path) } }
        var content = SHA256()
        var uncompressed: Int64 = 0
        var members = 0
        let memberBytes = options.memberBytes
        // Each line whole, on the workers (the merge read only each line's id and start): one JSON object, read
        // as JSON is written, no key twice, or nothing is published.
        // The line is named by its number in the live file. (The day already archived had every line checked
        // as strictly before this run began: `DayLineCheck`.)
        let check: @Sendable ([UInt8]) -> OutputError? = { chunk in
            chunk.withUnsafeBufferPointer { b in
                EventLineKey.firstMalformedLine(in: b).map { line in
                    let text = String(decoding: line.prefix(160), as: UTF8.self)
                    let what =
                        "is not an audit event (one JSON object with an event_id and a start, read as JSON is written, in UTF-8, no key twice): \(text)"
                    if let n = LineLocator.lineNumber(of: line, inFile: livePath) {
                        return OutputError(path: livePath, message: "line \(n) \(what)")
                    }
                    return OutputError(path: livePath, message: "a line of \(day) \(what)")
                }
            }
        }
        try ParallelGzip.compress(level: options.level, damage: options.damageMember, check: check) {
            () throws(OutputError) in
            try merge.nextChunk(bytes: memberBytes)
        } write: { chunk, member throws(OutputError) in
            content.update(data: chunk)
            uncompressed += Int64(chunk.count)
            try staged.append(member)
            members += 1
            if members == 1 { CrashPoint.reached("half a file written") }
        }
        // Conflicting lines are kept aside only once every line of the day passed the workers' check: a day
        // refused wrote a conflicts file all the same (a new-user trial).
        if !merge.conflicts.isEmpty {
            let kept = try keepAside(merge.conflicts.map(\.line), name: ArchiveLayout.conflictsName(day: day))
            report.conflictsKept.append((kept, merge.conflicts.count))
        }
        let gzipSHA256 = try staged.finish()
        var manifest = ArchiveManifest(
            day: day, events: merge.events, firstStart: merge.first, lastStart: merge.last,
            compressedBytes: staged.count, uncompressedBytes: uncompressed, gzipSHA256: gzipSHA256,
            contentSHA256: ArchiveManifest.hex(content.finalize()), toolVersion: options.toolVersion,
            previousManifestSHA256: try previousManifestHash(before: day))
        let unchanged =
            existingManifest.flatMap(ArchiveManifest.parse).map { $0.sameContent(as: manifest) } == true
            && StagedFile.sha256(of: gzPath).map { $0.sha == gzipSHA256 && $0.bytes == staged.count } == true
        if !unchanged {
            if let key = options.signingKey {
                manifest.supersedesManifestSHA256 = existingManifest.map(ArchiveManifest.sha256)
                manifest.signature = key.sign(manifest.unsignedBytes)
            }
            try DayDirectory.publish(root: root, day: day, staged: staged.path, manifest: manifest.bytes)
            published = true
        }
        if let problem = ArchiveVerifier.checkWritten(root: root, day: day, expected: manifest) {
            throw OutputError(path: gzPath, message: "read-back verification failed: \(problem)")
        }
        report.daysArchived.append(day)
        report.eventsArchived += merge.events
        report.duplicatesDropped += merge.dropped
        report.uncompressedBytes += uncompressed
        report.compressedBytes += staged.count
    }

    /// Keeps lines that are not archived (a day's conflicting lines, or a pruned day's late ones) in the live
    /// directory's file `name` before the live file can be deleted: the lines already there and these, each
    /// once, written atomically (a run killed after it and before the live file went writes the same file
    /// again). Returns its path.
    private func keepAside(_ lines: [[UInt8]], name: String) throws(OutputError) -> String {
        let path = options.liveDirectory + "/" + name
        var all: [[UInt8]] = []
        var seen = Set<[UInt8]>()
        let existing = FileBytes.read(path).map { $0.split(separator: 10).map { Array($0) } } ?? []
        for line in existing + lines where seen.insert(line).inserted { all.append(line) }
        var bytes: [UInt8] = []
        for line in all {
            bytes.append(contentsOf: line)
            bytes.append(10)
        }
        try AtomicFile.write(bytes, to: path)
        CrashPoint.reached("conflicts kept")
        return path
    }

    /// The pruned record (`checkBeforeChaining` refused a run on an invalid one; this names it again should
    /// it change under the lock's holder).
    private func prunedDays() throws(OutputError) -> PrunedDays.Record {
        do throws(ArchiveDocument.Invalid) {
            return try PrunedDays.loadSigned(options.archiveDirectory)
        } catch {
            throw OutputError(
                path: ArchiveLayout.prunedFile(options.archiveDirectory),
                message: "not a valid pruned record: \(error.reason)")
        }
    }

    /// Hash the manifest of `day` must chain to: the previous archived day's manifest, else the last pruned.
    private func previousManifestHash(before day: String) throws(OutputError) -> String? {
        let root = options.archiveDirectory
        if let prev = ArchiveLayout.archivedDays(root).last(where: { $0 < day }) {
            return FileBytes.read(ArchiveLayout.manifestFile(root, day: prev)).map(ArchiveManifest.sha256)
        }
        return try prunedDays().entries.last?.manifestSHA256
    }

    /// Rewrites any manifest whose previous-hash no longer matches (a day merged or pruned before it); in a
    /// signed archive also signs what is not signed yet (an unsigned archive's first signed run). A rewritten
    /// signed manifest names the version it replaces.
    /// Returns how many unsigned manifests it signed (an adoption's days).
    @discardableResult
    private func rechain() throws(OutputError) -> Int {
        let root = options.archiveDirectory
        var previous = try prunedDays().entries.last?.manifestSHA256
        var adopted = 0
        for day in ArchiveLayout.archivedDays(root) {
            let path = ArchiveLayout.manifestFile(root, day: day)
            guard let bytes = FileBytes.read(path), var m = ArchiveManifest.parse(bytes) else { continue }
            let unsigned = options.signingKey != nil && m.signature == nil
            if m.previousManifestSHA256 != previous || unsigned {
                m.previousManifestSHA256 = previous
                if unsigned { adopted += 1 }
                if let key = options.signingKey {
                    m.supersedesManifestSHA256 = ArchiveManifest.sha256(bytes)
                    m.signature = key.sign(m.unsignedBytes)
                }
                try AtomicFile.write(m.bytes, to: path)
                CrashPoint.reached("manifest re-chained")
                previous = ArchiveManifest.sha256(m.bytes)
            } else {
                previous = ArchiveManifest.sha256(bytes)
            }
        }
        return adopted
    }

    /// Prunes archive days past `retainArchive`: records each (day and manifest hash) in `pruned.json`
    /// first, then deletes its files, so the chain still verifies from the pruned record.
    private func prune(into report: inout Report) throws(OutputError) {
        guard options.retainArchive != nil else { return }
        let root = options.archiveDirectory
        var pruned = try prunedDays().entries
        let due = ArchiveLayout.archivedDays(root).filter(isPastRetention)
        // Recorded in one write, naming the head it follows (the next head names it), before any goes.
        let recorded = pruned.count
        for day in due where !pruned.contains(where: { $0.day == day }) {
            guard let m = FileBytes.read(ArchiveLayout.manifestFile(root, day: day)) else { continue }
            pruned.append(PrunedDays.Entry(day: day, manifestSHA256: ArchiveManifest.sha256(m)))
        }
        if pruned.count > recorded {
            try PrunedDays.save(pruned, root, signer: options.signingKey, head: currentHeadSHA256())
            CrashPoint.reached("pruning recorded")
        }
        for day in due where pruned.contains(where: { $0.day == day }) {
            DayDirectory.remove(root: root, day: day)
            report.daysPruned.append(day)
            CrashPoint.reached("day pruned")
        }
    }

    /// Writes the signed head: the last day and its manifest's hash (the last pruned day's when none is
    /// left), the run's time and the tool; also signs a pruned record an unsigned archive brought along.
    private func writeHead(signer key: ArchiveSigningKey) throws(OutputError) {
        let root = options.archiveDirectory
        let record = try prunedDays()
        let pruned = record.entries
        if record.signature == nil && FileBytes.read(ArchiveLayout.prunedFile(root)) != nil {
            try PrunedDays.save(pruned, root, signer: key, head: currentHeadSHA256())
        }
        var head = ArchiveHead(
            lastDay: pruned.last?.day, lastManifestSHA256: pruned.last?.manifestSHA256,
            prunedSHA256: FileBytes.read(ArchiveLayout.prunedFile(root)).map(ArchiveHead.sha256),
            previousHeadSHA256: currentHeadSHA256(),
            runTime: UTCTime.rfc3339Millis(options.now), toolVersion: options.toolVersion)
        if let day = ArchiveLayout.archivedDays(root).last {
            head.lastDay = day
            head.lastManifestSHA256 = FileBytes.read(ArchiveLayout.manifestFile(root, day: day)).map(
                ArchiveManifest.sha256)
        }
        head.signature = key.sign(head.unsignedBytes)
        let recordPath = headRecordPath()
        if let recordPath {
            // Listed before it is written: a head on the archive is always one the list knows as this key's.
            ArchiveLayout.makeDirectories(
                String(recordPath[..<(recordPath.lastIndex(of: "/") ?? recordPath.startIndex)]))
            try HeadChain.append(
                head.bytes, record: recordPath, recorded: FileBytes.read(recordPath),
                current: FileBytes.read(ArchiveHead.path(root)))
        }
        try AtomicFile.write(head.bytes, to: ArchiveHead.path(root))
        if let recordPath {
            CrashPoint.reached("head written")
            try AtomicFile.write(head.bytes, to: recordPath)
        }
        CrashPoint.reached("head written")
    }

    /// The SHA-256 of the archive's head as it is on disk (nil: none yet; unsigned archives have none).
    private func currentHeadSHA256() -> String? {
        FileBytes.read(ArchiveHead.path(options.archiveDirectory)).map(ArchiveHead.sha256)
    }

    private func removeTemporaryFiles() {
        let root = options.archiveDirectory
        for day in ArchiveLayout.archivedDays(root) {
            let dir = ArchiveLayout.dayDirectory(root, day: day)
            for name in ArchiveLayout.entries(dir) where name.hasSuffix(".tmp") { unlink(dir + "/" + name) }
        }
        unlink(ArchiveLayout.prunedFile(root) + ".tmp")
        unlink(ArchiveHead.path(root) + ".tmp")
        unlink(ArchiveIndex.path(archive: root) + ".tmp")
    }

    private func fileSize(_ path: String) -> Int64 {
        var st = stat()
        return stat(path, &st) == 0 ? Int64(st.st_size) : 0
    }

    /// The end of a UTC day (start of the next), in nanoseconds, held at the ends of the range (a log may
    /// state 1677-09-21, whose midnight no `Int64` holds).
    private func dayEnd(_ day: String) -> Int64 {
        let parts = day.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return .max }
        let next = UTCTime.days(year: parts[0], month: parts[1], day: parts[2]) + 1
        let (ns, overflow) = next.multipliedReportingOverflow(by: 86_400 * UTCTime.second)
        return overflow ? (next > 0 ? .max : .min) : ns
    }
}
