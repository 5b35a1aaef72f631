import Crypto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `verify` found of an archive's index.
public enum IndexCheck: Sendable, Equatable {
    /// The archive has no index (queries scan): fine.
    case noIndex
    /// Every row agrees with the archive.
    case agrees(days: Int, events: Int)
    /// The first disagreement: a missing, extra or wrong row, or a stale or unreadable index.
    case disagrees(ArchiveVerifier.Failure)
}

extension ArchiveIndex {
    /// Checks the index of the archive under `root` against the archive: the same days with the same gzip files,
    /// and per day exactly the rows a fresh build would write (every column), and a text table holding one
    /// entry per regular row. Reads every day file, as `verify` does anyway.
    public static func check(archive root: String) -> IndexCheck {
        let path = path(archive: root)
        guard access(path, F_OK) == 0 else { return .noIndex }
        let lock = ArchiveLock.shared(root: root)
        defer { withExtendedLifetime(lock) {} }
        func fail(_ reason: String) -> IndexCheck { .disagrees(ArchiveVerifier.Failure(path: path, reason: reason)) }
        do throws(OutputError) {
            let db = try SQLiteDatabase(path: path, create: false, readOnly: true)
            guard try schema(db) == schemaVersion else {
                return fail("unreadable: not an index of this version (run auditpipe index --rebuild)")
            }
            let indexed = try indexedDays(db)
            let archived = archivedDays(root)
            let run = "run auditpipe index \(root)"
            for (day, sha) in archived {
                guard let stored = indexed[day] else {
                    return fail("stale: \(day) is archived but not indexed (\(run))")
                }
                if stored != sha { return fail("stale: \(day) changed since it was indexed (\(run))") }
            }
            let present = Set(archived.map(\.day))
            if let gone = indexed.keys.sorted().first(where: { !present.contains($0) }) {
                // A day after the archive's last one: the archive lost its newest days, which pruning never does.
                if let last = archived.last?.day, gone > last {
                    return fail(
                        "stale: \(gone) is indexed but the archive ends at \(last): its newest days were deleted or an older copy of the archive was put back (a rollback); find out why before you rebuild the index over it (the next archive run with the signing key compares the head with the one it last wrote)"
                    )
                }
                return fail("stale: \(gone) is indexed but no longer archived (\(run))")
            }
            let orphans = try db.integer("SELECT count(*) FROM events WHERE day NOT IN (SELECT day FROM days)")
            if orphans > 0 {
                return fail("extra: \(orphans) rows name a day the index does not hold (\(run) --rebuild)")
            }
            var events = 0
            for (day, _) in archived {
                if let problem = try checkDay(day, root: root, db: db) { return fail(problem + " (\(run) --rebuild)") }
                events += Int(try db.integer("SELECT count(*) FROM events WHERE day = ?", [.text(day)]))
            }
            return .agrees(days: archived.count, events: events)
        } catch {
            // A killed index update's journal that this user could not roll back (a read-only copy, an auditor's
            // account): said so, instead of advice to rebuild what they cannot write (a new-user trial). It still
            // fails: a planted journal must not get an index past its check.
            var st = stat()
            if stat(path + "-journal", &st) == 0, st.st_size > 0, access(path, W_OK) != 0 {
                return fail(
                    "unreadable: a killed index update left \(path)-journal, which only a user who may write the archive can roll back (run auditpipe index \(root), or verify, as one)"
                )
            }
            return fail("unreadable: \(error.message) (run auditpipe index \(root) --rebuild)")
        }
    }

    /// The first disagreement between a day's rows and its archive, or nil. The day file is streamed (a few
    /// members in memory) beside a cursor over the stored rows in line order.
    private static func checkDay(_ day: String, root: String, db: SQLiteDatabase) throws(OutputError) -> String? {
        let gzPath = ArchiveLayout.archiveFile(root, day: day)
        let names =
            [
                "day", "line", "member_offset", "member_length", "line_offset", "line_length", "sort_start",
                "sort_id", "irregular",
            ] + IndexedField.all.map(\.column)
        let stored = try storedRowsStatement(db)
        try stored.bind([.text(day)])
        var next = try stored.step() ? storedRow(stored) : nil
        var nextID = next == nil ? 0 : stored.int(Int32(9 + IndexedField.all.count))
        var problem: String?
        var (count, regular) = (0, 0)
        // The text table holds trigrams, not lines, so its content is checked by sample: about 256 regular
        // rows a day must each be found by a search for their event id (an emptied or refilled table is not).
        let table = textTable(day)
        let sampleEvery = max(1, Int(try db.integer("SELECT events FROM days WHERE day = ?", [.text(day)])) / 256)
        let search = try db.prepare("SELECT count(*) FROM \(table) WHERE rowid = ? AND \(table) MATCH ?")
        // Each member's digest, as the index takes it (the query's check of the members it reads).
        var memberHash = SHA256()
        var members: [Int: String] = [:]
        do throws(DayRowStream.Failure) {
            _ = try DayRowStream(day: day, path: gzPath).read(
                inflated: { memberHash.update(bufferPointer: UnsafeRawBufferPointer($0)) },
                memberEnded: {
                    members[$0.compressedOffset] = ArchiveManifest.hex(memberHash.finalize())
                    memberHash = SHA256()
                }
            ) { (e, line) throws(OutputError) in
                count += 1
                if !e.irregular { regular += 1 }
                guard problem == nil else { return }
                guard let s = next, s.line <= e.line else {
                    problem = "missing: \(day) line \(e.line + 1) (event \(e.sortID)) has no row in the index"
                    return
                }
                guard s.line == e.line else {
                    problem = "extra: the row for \(day) line \(s.line + 1) (event \(s.sortID)) is not in the archive"
                    return
                }
                let (a, b) = (e.bindings, s.bindings)
                if let k = a.indices.first(where: { a[$0] != b[$0] }) {
                    problem =
                        "wrong: \(day) line \(e.line + 1) (event \(e.sortID)): \(names[k]) is \(describe(b[k])), the archive says \(describe(a[k]))"
                    return
                }
                if !e.irregular, regular % sampleEvery == 1 % sampleEvery, Self.holds(line, e.sortID),
                    let match = IndexedCatalog.trigramQuery(e.sortID)
                {
                    try search.bind([.int(nextID), .text(match)])
                    guard try search.step(), search.int(0) == 1 else {
                        problem =
                            "wrong: the text table of \(day) does not find line \(e.line + 1) (event \(e.sortID)) by its event id"
                        return
                    }
                }
                next = try stored.step() ? storedRow(stored) : nil
                if next != nil { nextID = stored.int(Int32(9 + IndexedField.all.count)) }
            }
        } catch {
            switch error {
            case .input(let e): return "unreadable: \(gzPath): \(e.message)"
            case .output(let e): return "unreadable: \(e.path): \(e.message)"
            }
        }
        if let problem { return problem }
        if let s = next {
            return "extra: the row for \(day) line \(s.line + 1) (event \(s.sortID)) is not in the archive"
        }
        if try memberDigests(db, day: day) != members {
            return "wrong: the index's digests of the gzip members of \(day) are not the archive's"
        }
        let days = try db.integer("SELECT events FROM days WHERE day = ?", [.text(day)])
        if days != count {
            return "wrong: the index counts \(days) events for \(day), the archive holds \(count)"
        }
        let texts = try db.integer("SELECT count(*) FROM \(textTable(day))")
        if texts != regular {
            return "wrong: the text table of \(day) holds \(texts) lines, the archive \(regular)"
        }
        return nil
    }

    /// True when `line` holds `text` as written (an id written with JSON escapes is searched for by no sample).
    private static func holds(_ line: UnsafeBufferPointer<UInt8>, _ text: String) -> Bool {
        let needle = Array(text.utf8)
        guard !needle.isEmpty, needle.count <= line.count else { return false }
        return (0...(line.count - needle.count)).contains { i in
            line[i] == needle[0] && needle.indices.allSatisfy { line[i + $0] == needle[$0] }
        }
    }

    /// The statement reading a day's stored rows in line order (bind the day); the row id comes last.
    private static func storedRowsStatement(_ db: SQLiteDatabase) throws(OutputError) -> SQLiteStatement {
        let columns = IndexedField.all.map(\.column).joined(separator: ", ")
        return try db.prepare(
            "SELECT day, line, member_offset, member_length, line_offset, line_length, sort_start, sort_id, irregular, \(columns), id FROM events WHERE day = ? ORDER BY line"
        )
    }

    /// The row the statement is on.
    private static func storedRow(_ s: SQLiteStatement) -> IndexRow {
        IndexRow(
            day: s.text(0) ?? "", line: s.int(1), memberOffset: s.int(2), memberLength: s.int(3),
            lineOffset: s.int(4), lineLength: s.int(5), sortStart: s.int(6), sortID: s.text(7) ?? "",
            irregular: s.int(8) != 0, values: IndexedField.all.indices.map { s.value(Int32(9 + $0)) })
    }

    /// A day's rows as stored, in line order.
    static func storedRows(_ db: SQLiteDatabase, day: String) throws(OutputError) -> [IndexRow] {
        let s = try storedRowsStatement(db)
        try s.bind([.text(day)])
        var rows: [IndexRow] = []
        while try s.step() { rows.append(storedRow(s)) }
        return rows
    }

    /// Every row, day and text-table count of an index, one line each (a canonical dump: two indexes of the
    /// same archive dump alike whatever order they were built in).
    static func dump(archive root: String) throws(OutputError) -> [String] {
        let db = try SQLiteDatabase(path: path(archive: root), create: false, readOnly: true)
        var out: [String] = []
        let days = try db.prepare("SELECT day, gzip_sha256, events FROM days ORDER BY day")
        var names: [String] = []
        while try days.step() {
            names.append(days.text(0) ?? "")
            out.append("day \(days.text(0) ?? "") \(days.text(1) ?? "") \(days.int(2))")
        }
        for day in names {
            out.append("text \(day) \(try db.integer("SELECT count(*) FROM \(textTable(day))"))")
            for row in try storedRows(db, day: day) {
                out.append(row.bindings.map(describe).joined(separator: "\t"))
            }
        }
        return out
    }

    private static func describe(_ v: SQLiteValue) -> String {
        switch v {
        case .null: "null"
        case .int(let n): String(n)
        case .text(let s): "\"\(s.replacing("\u{1}", with: "|"))\""
        }
    }
}
