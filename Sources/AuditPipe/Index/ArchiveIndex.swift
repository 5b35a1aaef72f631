import Crypto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `ARCHIVE/index.sqlite`: a rebuildable SQLite index beside an archive, one row per archived event (its
/// filterable fields and where its line lives: day, gzip member, offset in the member) and per day an FTS5
/// trigram table over the lines for free text. The gzip day files stay the source of truth: `IndexedCatalog`
/// checks every candidate against the real event, and `verify` checks the index agrees with the archive.
///
/// A fresh build is written to `index.sqlite.tmp`, fsynced and renamed; an update (days added, changed or
/// pruned since) is one SQLite transaction (rollback journal, synchronous FULL). Either way a crash leaves
/// the old index or the new one.
public enum ArchiveIndex {
    /// The index's file name in the archive directory.
    public static let fileName = "index.sqlite"
    /// The schema this build writes; an index of another schema is rebuilt (3: each gzip member's digest).
    static let schemaVersion = "3"

    /// True when `path` is a directory (an archive to index or query).
    public static func isArchiveDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// The index's path for the archive under `root`.
    public static func path(archive root: String) -> String { root + "/" + fileName }

    /// What an update did.
    public struct Update: Sendable, Equatable {
        /// True when the index was built from scratch (none, `--rebuild`, another schema, unreadable).
        public var rebuilt = false
        /// Days (re-)indexed: new, or their gzip file changed.
        public var daysIndexed: [String] = []
        /// Days kept as they were (same gzip file).
        public var daysUnchanged = 0
        /// Days dropped: no longer archived (pruned).
        public var daysRemoved: [String] = []
        /// Rows written.
        public var eventsIndexed = 0
    }

    /// Brings the index up to date with the archive under `root` (from scratch with `rebuild`), under the
    /// archive's lock (waiting up to `lockTimeout` ns for an archive run). A day to index that fails
    /// verification leaves the index as it was and is `.unverified` (exit 4), as `verify` reports it.
    public static func update(archive root: String, rebuild: Bool = false, lockTimeout: Int64 = 0)
        throws(ArchiveRunError) -> Update
    {
        let lock = try ArchiveLock.acquire(root: root, timeout: lockTimeout)
        defer { withExtendedLifetime(lock) {} }
        do throws(IndexUpdateError) {
            return try updateLocked(root: root, rebuild: rebuild)
        } catch {
            switch error {
            case .output(let e): throw .output(e)
            case .damaged(let f): throw .unverified(f)
            }
        }
    }

    /// The update, the archive's lock already held (archive runs it last). Each day indexed is checked as
    /// `verify` checks it (`DayFileCheck`) while its rows are written; one that fails rolls the update back.
    static func updateLocked(root: String, rebuild: Bool) throws(IndexUpdateError) -> Update {
        let path = path(archive: root)
        let temp = path + ".tmp"
        unlink(temp)
        unlink(temp + "-journal")
        let archived = archivedDays(root)
        if !rebuild, access(path, F_OK) == 0, let db = try? SQLiteDatabase(path: path, create: false),
            (try? schema(db)) == schemaVersion
        {
            return try incremental(db, root: root, archived: archived)
        }
        var report = Update()
        report.rebuilt = true
        // A build that fails (a damaged day) leaves no half-written index behind.
        var built = false
        defer {
            if !built {
                unlink(temp)
                unlink(temp + "-journal")
            }
        }
        let db = try IndexUpdateError.writing { () throws(OutputError) in
            let db = try SQLiteDatabase(path: temp, create: true)
            try db.execute("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=8192;")
            try createSchema(db)
            try db.execute("BEGIN")
            return db
        }
        for (day, _) in archived {
            report.eventsIndexed += try index(day: day, root: root, into: db)
            report.daysIndexed.append(day)
        }
        try IndexUpdateError.writing { () throws(OutputError) in
            try createIndexes(db)
            try db.execute("COMMIT")
            try db.execute("ANALYZE")
            try syncFile(temp)
        }
        CrashPoint.reached("index built")
        built = true
        guard rename(temp, path) == 0 else {
            throw .output(
                OutputError(path: path, message: "cannot rename the new index: \(String(cString: strerror(errno)))"))
        }
        unlink(path + "-journal")
        AtomicFile.syncDirectory(root)
        return report
    }

    /// Archived days with the SHA-256 of their gzip file as their manifest gives it (nil when the manifest
    /// cannot be read): it names the day's bytes, so a manifest only re-chained (a day before it changed)
    /// does not make the day re-indexed.
    static func archivedDays(_ root: String) -> [(day: String, sha: String?)] {
        ArchiveLayout.archivedDays(root).map { day in
            (
                day,
                FileBytes.read(ArchiveLayout.manifestFile(root, day: day)).flatMap(ArchiveManifest.parse)?.gzipSHA256
            )
        }
    }

    /// Days whose gzip file changed are re-indexed, new days added, days gone from the archive removed.
    private static func incremental(_ db: SQLiteDatabase, root: String, archived: [(day: String, sha: String?)])
        throws(IndexUpdateError) -> Update
    {
        var report = Update()
        let indexed = try IndexUpdateError.writing { () throws(OutputError) in
            try db.execute("PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL;")
            let indexed = try indexedDays(db)
            try db.execute("BEGIN IMMEDIATE")
            return indexed
        }
        let present = Set(archived.map(\.day))
        do throws(IndexUpdateError) {
            for day in indexed.keys.sorted() where !present.contains(day) {
                try IndexUpdateError.writing { () throws(OutputError) in try remove(day: day, from: db) }
                report.daysRemoved.append(day)
            }
            for (day, sha) in archived {
                if let sha, indexed[day] == sha {
                    report.daysUnchanged += 1
                    continue
                }
                if indexed[day] != nil {
                    try IndexUpdateError.writing { () throws(OutputError) in try remove(day: day, from: db) }
                }
                report.eventsIndexed += try index(day: day, root: root, into: db)
                report.daysIndexed.append(day)
                CrashPoint.reached("index day written")
            }
            try IndexUpdateError.writing { () throws(OutputError) in try db.execute("COMMIT") }
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
        // Fresh statistics for the query planner (which index serves which filter), when rows changed.
        if !report.daysIndexed.isEmpty || !report.daysRemoved.isEmpty {
            try IndexUpdateError.writing { () throws(OutputError) in try db.execute("ANALYZE") }
        }
        return report
    }

    /// The indexed days and the gzip file hash (from its manifest) each was indexed from.
    static func indexedDays(_ db: SQLiteDatabase) throws(OutputError) -> [String: String] {
        let s = try db.prepare("SELECT day, gzip_sha256 FROM days")
        var out: [String: String] = [:]
        while try s.step() { out[s.text(0) ?? ""] = s.text(1) ?? "" }
        return out
    }

    static func schema(_ db: SQLiteDatabase) throws(OutputError) -> String? {
        let s = try db.prepare("SELECT value FROM meta WHERE key = 'schema'")
        return try s.step() ? s.text(0) : nil
    }

    /// The FTS5 table of a day's lines (`text_YYYYMMDD`; the day is checked to be digits and dashes).
    static func textTable(_ day: String) -> String { "text_" + day.filter { $0 != "-" } }

    private static func createSchema(_ db: SQLiteDatabase) throws(OutputError) {
        let fields = IndexedField.all.map {
            "\($0.column) \($0.kind == .text || $0.kind == .list ? "TEXT" : "INTEGER")"
        }
        try db.execute(
            """
            CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
            INSERT INTO meta VALUES ('schema', '\(schemaVersion)'), ('tool', '\(AuditPipeVersion.tool.replacing("'", with: "''"))');
            CREATE TABLE days(day TEXT PRIMARY KEY, gzip_sha256 TEXT NOT NULL, events INTEGER NOT NULL);
            CREATE TABLE members(day TEXT NOT NULL, member_offset INTEGER NOT NULL, sha256 TEXT NOT NULL,
              PRIMARY KEY(day, member_offset)) WITHOUT ROWID;
            CREATE TABLE events(id INTEGER PRIMARY KEY, day TEXT NOT NULL, line INTEGER NOT NULL,
              member_offset INTEGER NOT NULL, member_length INTEGER NOT NULL, line_offset INTEGER NOT NULL,
              line_length INTEGER NOT NULL, sort_start INTEGER NOT NULL, sort_id TEXT NOT NULL,
              irregular INTEGER NOT NULL, \(fields.joined(separator: ", ")));
            """)
    }

    /// Secondary indexes, made after a fresh build's rows (faster than row by row); ANALYZE follows, so the
    /// planner knows which of them narrows a filter best. The user and action indexes also hold status and
    /// result, so the count of the screen's usual filters (who, what, outcome) reads the index alone.
    private static func createIndexes(_ db: SQLiteDatabase) throws(OutputError) {
        try db.execute(
            """
            CREATE UNIQUE INDEX events_place ON events(day, line);
            CREATE INDEX events_order ON events(sort_start, sort_id);
            CREATE INDEX events_event_id ON events(event_id);
            CREATE INDEX events_request_id ON events(request_id);
            CREATE INDEX events_user ON events(user, action, status, result);
            CREATE INDEX events_action ON events(action, status, result);
            CREATE INDEX events_entity ON events(entity_type, entity_id);
            CREATE INDEX events_irregular ON events(irregular) WHERE irregular;
            """)
    }

    /// Indexes one day (its rows and its text table); returns the rows written. The day is checked as `verify`
    /// checks it while it is read (`DayFileCheck`): a day that fails is `.damaged`, and the caller's
    /// transaction rolls back the rows written.
    private static func index(day: String, root: String, into db: SQLiteDatabase) throws(IndexUpdateError) -> Int {
        var check: DayFileCheck
        switch DayFileCheck.open(root: root, day: day) {
        case .success(let c): check = c
        case .failure(let f): throw .damaged(f)
        }
        // The rows are written as the day file is read, a member at a time (memory stays a few members' bytes
        // whatever the day's size).
        let table = textTable(day)
        let (insert, text) = try IndexUpdateError.writing { () throws(OutputError) in
            try db.execute(
                "CREATE VIRTUAL TABLE \(table) USING fts5(line, tokenize='trigram', detail='none', content='')")
            let columns = IndexedField.all.map(\.column)
            let insert = try db.prepare(
                "INSERT INTO events(day, line, member_offset, member_length, line_offset, line_length, sort_start, sort_id, irregular, \(columns.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: 9 + columns.count).joined(separator: ", ")))"
            )
            return (insert, try db.prepare("INSERT INTO \(table)(rowid, line) VALUES (?, ?)"))
        }
        var rows = 0
        let digest: DayRowStream.FileDigest
        // Each member's inflated bytes hashed as they come, for the query's check of the members it reads.
        var memberHash = SHA256()
        var members: [(offset: Int, sha: String)] = []
        do throws(DayRowStream.Failure) {
            let stream = DayRowStream(day: day, path: check.gzPath)
            digest = try stream.read(
                inflated: {
                    check.append($0)
                    memberHash.update(bufferPointer: UnsafeRawBufferPointer($0))
                },
                memberEnded: {
                    members.append(($0.compressedOffset, ArchiveManifest.hex(memberHash.finalize())))
                    memberHash = SHA256()
                }
            ) {
                (row, line) throws(OutputError) in
                try insert.run(row.bindings)
                rows += 1
                guard !row.irregular else { return }
                try text.bind([.int(db.lastInsertRowID)])
                try text.bindText(2, bytes: line)
                _ = try text.step()
            }
        } catch {
            switch error {
            case .output(let e): throw .output(e)
            case .input: throw .damaged(check.failure(error))
            }
        }
        if let failure = check.finish(digest) { throw .damaged(failure) }
        try IndexUpdateError.writing { () throws(OutputError) in
            try db.prepare("INSERT INTO days VALUES (?, ?, ?)").run([
                .text(day), .text(check.manifest.gzipSHA256), .int(Int64(rows)),
            ])
            let member = try db.prepare("INSERT INTO members VALUES (?, ?, ?)")
            for m in members { try member.run([.text(day), .int(Int64(m.offset)), .text(m.sha)]) }
        }
        return rows
    }

    private static func remove(day: String, from db: SQLiteDatabase) throws(OutputError) {
        try db.prepare("DELETE FROM events WHERE day = ?").run([.text(day)])
        try db.prepare("DELETE FROM days WHERE day = ?").run([.text(day)])
        try db.prepare("DELETE FROM members WHERE day = ?").run([.text(day)])
        try db.execute("DROP TABLE IF EXISTS \(textTable(day))")
    }

    /// fsyncs a file.
    private static func syncFile(_ path: String) throws(OutputError) {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0, fsync(fd) == 0 else {
            let message = String(cString: strerror(errno))
            if fd >= 0 { close(fd) }
            throw OutputError(path: path, message: "fsync failed: \(message)")
        }
        close(fd)
    }

    /// True when an index exists, has this schema and covers exactly the archived days with the gzip files
    /// their manifests name (so it can answer queries).
    public static func isCurrent(archive root: String) -> Bool {
        let path = path(archive: root)
        guard access(path, F_OK) == 0, let db = try? SQLiteDatabase(path: path, create: false, readOnly: true),
            (try? schema(db)) == schemaVersion, let indexed = try? indexedDays(db)
        else { return false }
        let archived = archivedDays(root)
        guard archived.count == indexed.count && archived.allSatisfy({ $0.sha != nil && indexed[$0.day] == $0.sha })
        else { return false }
        // Rows deleted from the index (by hand, or a damaged file) would go missing from every answer: each
        // day must hold as many rows as its manifest states events, or the day files answer.
        guard let rows = try? rowCounts(db) else { return false }
        return ArchiveLayout.archivedDays(root).allSatisfy { day in
            let events = FileBytes.read(ArchiveLayout.manifestFile(root, day: day)).flatMap(ArchiveManifest.parse)?
                .events
            return events != nil && rows[day, default: 0] == events
        }
    }

    /// The digest of each gzip member of `day` (of its inflated bytes, hex) by compressed offset, as indexed.
    static func memberDigests(_ db: SQLiteDatabase, day: String) throws(OutputError) -> [Int: String] {
        let s = try db.prepare("SELECT member_offset, sha256 FROM members WHERE day = ?")
        try s.bind([.text(day)])
        var out: [Int: String] = [:]
        while try s.step() { out[Int(s.int(0))] = s.text(1) ?? "" }
        return out
    }

    /// The digest of the gzip member of `day` at compressed `offset` (of its inflated bytes, hex), as indexed.
    static func memberDigest(_ db: SQLiteDatabase, day: String, offset: Int) throws(OutputError) -> String? {
        let s = try db.prepare("SELECT sha256 FROM members WHERE day = ? AND member_offset = ?")
        try s.bind([.text(day), .int(Int64(offset))])
        return try s.step() ? s.text(0) : nil
    }

    /// The index's rows per day.
    static func rowCounts(_ db: SQLiteDatabase) throws(OutputError) -> [String: Int] {
        let s = try db.prepare("SELECT day, count(*) FROM events GROUP BY day")
        var out: [String: Int] = [:]
        while try s.step() { out[s.text(0) ?? ""] = Int(s.int(1)) }
        return out
    }
}

extension IndexRow {
    /// The row's values in the order of the index's insert statement.
    var bindings: [SQLiteValue] {
        [
            .text(day), .int(line), .int(memberOffset), .int(memberLength), .int(lineOffset), .int(lineLength),
            .int(sortStart), .text(sortID), .int(irregular ? 1 : 0),
        ] + values
    }
}
