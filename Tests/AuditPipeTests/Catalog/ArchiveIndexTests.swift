import Foundation
import Testing

@testable import AuditPipe

/// The index beside an archive: built by archive, updated incrementally (unchanged days kept, changed days
/// re-indexed, pruned days dropped) to the same content a rebuild gives; verify catches a tampered or stale
/// index; query gives the same bytes with and without it.
@Suite(.serialized) struct ArchiveIndexTests {
    /// Rows of the index as a canonical dump, without the row ids.
    static func dump(_ root: String) throws -> [String] { try ArchiveIndex.dump(archive: root) }

    static func reason(_ check: IndexCheck) -> String {
        if case .disagrees(let f) = check { return f.reason }
        return "\(check)"
    }

    @Test func incrementalUpdatesEndWithTheContentOfARebuild() async throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let root = try await ArchiveFixture.build(in: dir, perDay: [300, 200, 250], seed: 7)
        #expect(ArchiveIndex.isCurrent(archive: root))
        let first = try Self.dump(root)
        #expect(first.count > 750)
        // Nothing changed: every day is kept as it is.
        let again = try ArchiveIndex.update(archive: root)
        #expect(again.daysIndexed.isEmpty && again.daysUnchanged == 3 && !again.rebuilt)
        #expect(try Self.dump(root) == first)
        // Late events for day 2 and a new day 4: day 2 re-indexed, day 4 added, days 1 and 3 kept (day 3's
        // manifest was re-chained to day 2's new one, but its gzip file is the same).
        try await ArchiveFixture.addDay(1, requests: 60, seed: 99, dir: dir, index: false)
        try await ArchiveFixture.addDay(3, requests: 80, seed: 98, dir: dir, index: false)
        #expect(!ArchiveIndex.isCurrent(archive: root))
        let update = try ArchiveIndex.update(archive: root)
        #expect(
            update.daysIndexed == ["2026-11-02", "2026-11-04"] && update.daysUnchanged == 2,
            "\(update.daysIndexed) \(update.daysUnchanged)")
        let incremental = try Self.dump(root)
        #expect(incremental != first)
        let rebuilt = try ArchiveIndex.update(archive: root, rebuild: true)
        #expect(rebuilt.rebuilt && rebuilt.daysIndexed.count == 4)
        #expect(try Self.dump(root) == incremental)
        #expect(ArchiveIndex.check(archive: root) == .agrees(days: 4, events: incremental.count - 8))
        // Pruning day 1 drops its rows at the next update (archive runs it).
        var options = ArchiveRun.Options(
            liveDirectory: dir.appendingPathComponent("live").path, archiveDirectory: root,
            now: (ArchiveFixture.firstDay + 400 * 86_400) * UTCTime.second)
        options.retainArchive = (400 * 86_400 - 86_400 - 1) * UTCTime.second
        let pruning = try ArchiveRun(options: options).run()
        #expect(pruning.daysPruned == ["2026-11-01"])
        #expect(pruning.index?.daysRemoved == ["2026-11-01"])
        let pruned = try Self.dump(root)
        #expect(
            !pruned.contains { $0.hasPrefix("\"2026-11-01\"") } && pruned.contains { $0.hasPrefix("\"2026-11-02\"") })
        _ = try ArchiveIndex.update(archive: root, rebuild: true)
        #expect(try Self.dump(root) == pruned)
    }

    @Test func verifyCatchesADeletedChangedOrExtraRowAndAStaleIndex() async throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let root = try await ArchiveFixture.build(in: dir, perDay: [200, 150], seed: 3)
        guard case .agrees = ArchiveIndex.check(archive: root) else {
            Issue.record("a fresh index disagrees: \(Self.reason(ArchiveIndex.check(archive: root)))")
            return
        }
        let path = ArchiveIndex.path(archive: root)
        let tampering: [(String, String)] = [
            ("DELETE FROM events WHERE day = '2026-11-02' AND line = 17", "missing: 2026-11-02 line 18"),
            ("UPDATE events SET user = 'mallory' WHERE day = '2026-11-01' AND line = 5", "wrong: 2026-11-01 line 6"),
            (
                "UPDATE events SET status = IFNULL(status, 0) + 1 WHERE day = '2026-11-01' AND line = 9",
                "wrong: 2026-11-01 line 10"
            ),
            (
                "INSERT INTO events SELECT NULL, day, 100000, member_offset, member_length, line_offset, line_length, sort_start, sort_id, irregular, start_ns, end_ns, event_id, request_id, user, user_id, ip, origin, action, entity_type, entity_id, access_kind, file_type, status, result, services, method, api_path, route FROM events WHERE day = '2026-11-01' AND line = 3",
                "extra: the row for 2026-11-01 line 100001"
            ),
            ("UPDATE days SET gzip_sha256 = 'x' WHERE day = '2026-11-02'", "stale: 2026-11-02 changed"),
            ("DELETE FROM days WHERE day = '2026-11-01'", "stale: 2026-11-01 is archived but not indexed"),
            // A day before the archive's first: pruned since; one after its last: the archive lost its newest days
            // (a rollback), not a reason to rebuild the index over it (helper-72's trial).
            ("INSERT INTO days VALUES ('2026-10-01', 'x', 0)", "stale: 2026-10-01 is indexed but no longer archived"),
            (
                "INSERT INTO days VALUES ('2026-11-09', 'x', 0)",
                "stale: 2026-11-09 is indexed but the archive ends at 2026-11-02: its newest days were deleted"
            ),
            // A member's digest changed: queries of it would fail though the day file is whole.
            (
                "UPDATE members SET sha256 = 'x' WHERE day = '2026-11-02' AND member_offset = 0",
                "wrong: the index's digests of the gzip members of 2026-11-02"
            ),
            // The text table emptied and refilled with one meaningless line per row: the count still agrees,
            // a search does not (a new-user trial; verify compared the counts only).
            (
                "INSERT INTO text_20261101(text_20261101) VALUES('delete-all'); INSERT INTO text_20261101(rowid, line) SELECT id, 'x' FROM events WHERE day = '2026-11-01' AND NOT irregular",
                "wrong: the text table of 2026-11-01 does not find line"
            ),
        ]
        for (sql, expected) in tampering {
            _ = try ArchiveIndex.update(archive: root, rebuild: true)
            try SQLiteDatabase(path: path, create: false).execute(sql)
            let reason = Self.reason(ArchiveIndex.check(archive: root))
            #expect(reason.hasPrefix(expected), "\(sql): \(reason)")
        }
        // A day archived without updating the index: stale, and query scans instead.
        _ = try ArchiveIndex.update(archive: root, rebuild: true)
        try await ArchiveFixture.addDay(2, requests: 40, seed: 5, dir: dir, index: false)
        #expect(
            Self.reason(ArchiveIndex.check(archive: root)).hasPrefix("stale: 2026-11-03 is archived but not indexed"))
        #expect(CatalogOpening.open(archive: root) is ScanCatalog)
        _ = try ArchiveIndex.update(archive: root)
        #expect(CatalogOpening.open(archive: root) is IndexedCatalog)
        #expect(CatalogOpening.open(archive: root, scan: true) is ScanCatalog)
        // The command: exit 4 naming the index and the row.
        try SQLiteDatabase(path: path, create: false).execute(
            "DELETE FROM events WHERE day = '2026-11-03' AND line = 2")
        let r = try AuditPipeBinary.run(["verify", root])
        #expect(r.status == 4 && r.stderr.contains("index.sqlite: missing: 2026-11-03 line 3"), "\(r.stderr)")
        try FileManager.default.removeItem(atPath: path)
        let none = try AuditPipeBinary.run(["verify", root])
        #expect(none.status == 0 && none.stderr.contains("no index"), "\(none.stderr)")
    }

    @Test func aLeftoverTemporaryIndexOrACrashedBuildLeavesAWorkingIndex() async throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let root = try await ArchiveFixture.build(in: dir, perDay: [120, 80], seed: 11)
        let before = try Self.dump(root)
        // A build killed before its rename leaves the old index and a temp file the next run removes.
        let crashed = try AuditPipeBinary.run(
            ["index", root, "--rebuild", "-q"], environment: ["AUDITPIPE_CRASH_AT": "1"])
        #expect(crashed.status != 0)
        let after = try Self.dump(root)
        #expect(ArchiveIndex.isCurrent(archive: root) && after == before)
        #expect(FileManager.default.fileExists(atPath: ArchiveIndex.path(archive: root) + ".tmp"))
        let r = try AuditPipeBinary.run(["index", root, "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ArchiveIndex.path(archive: root) + ".tmp"))
        // An update killed inside its transaction is rolled back: the old rows, still current for what they
        // cover, and the next update finishes it.
        try await ArchiveFixture.addDay(2, requests: 50, seed: 12, dir: dir, index: false)
        let killed = try AuditPipeBinary.run(["index", root, "-q"], environment: ["AUDITPIPE_CRASH_AT": "1"])
        #expect(killed.status != 0)
        #expect(try Self.dump(root) == before)
        #expect(try AuditPipeBinary.run(["index", root, "-q"]).status == 0)
        guard case .agrees(let days, _) = ArchiveIndex.check(archive: root) else {
            Issue.record("\(Self.reason(ArchiveIndex.check(archive: root)))")
            return
        }
        #expect(days == 3)
    }

    /// A writer killed inside its transaction after pages of it reached the file leaves a hot journal, which only a
    /// connection that may write can roll back: `verify`'s read-only check reported the index unreadable ("attempt
    /// to write a readonly database") where the crash had left the old index (a new-user trial, `kill -9` during
    /// an archive run's index update). The crash is imaged by copying the archive while a transaction is open.
    @Test func aHotJournalLeftByAKilledWriterIsRolledBackWhenTheIndexIsRead() async throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let root = try await ArchiveFixture.build(in: dir, perDay: [1500, 1500], seed: 13)
        let before = try Self.dump(root)
        let crash = dir.appendingPathComponent("crash").path
        do {
            let writer = try SQLiteDatabase(path: ArchiveIndex.path(archive: root), create: false)
            // A small cache: the update's pages spill to the file (after the journal is synced), as a long one's do.
            try writer.execute(
                "PRAGMA journal_mode=DELETE; PRAGMA cache_size=10; BEGIN IMMEDIATE; "
                    + "UPDATE events SET user = 'mallory', request_id = request_id || '0123456789abcdef0123456789';")
            let (status, out) = try ArchiveTests.shell("cp -a '\(root)' '\(crash)'", in: dir)
            #expect(status == 0, "\(out)")
            try writer.execute("ROLLBACK")
        }
        let journal = ArchiveIndex.path(archive: crash) + "-journal"
        #expect(((try? FileManager.default.attributesOfItem(atPath: journal))?[.size] as? Int ?? 0) > 0)
        guard case .agrees(let days, _) = ArchiveIndex.check(archive: crash) else {
            Issue.record("\(Self.reason(ArchiveIndex.check(archive: crash)))")
            return
        }
        #expect(days == 2)
        #expect(try Self.dump(crash) == before)
    }

    @Test func queryWritesTheSameBytesWithAndWithoutTheIndex() async throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let root = try await ArchiveFixture.build(in: dir, perDay: [400, 300, 200], seed: 21)
        let cases: [[String]] = [
            ["--all"],
            [#"user == "alice" and status == 4xx"#],
            [#"action == "export" or services contains "reports""#, "--since", "2026-11-02"],
            [#"api.path ~ "*export" and not (user == null)"#, "--until", "2026-11-03"],
            [#"user =~ "^[ab]""#],
        ]
        var nonEmpty = 0
        for args in cases {
            for format in ["jsonl", "csv"] {
                let withIndex = try AuditPipeBinary.run(["query", root] + args + ["--output-format", format])
                let scan = try AuditPipeBinary.run(["query", root, "--scan"] + args + ["--output-format", format])
                #expect(withIndex.status == 0 && scan.status == 0, "\(args): \(withIndex.stderr) \(scan.stderr)")
                #expect(withIndex.stdout == scan.stdout, "\(args) \(format)")
                #expect(withIndex.stderr == scan.stderr, "\(args) \(format)")
                if withIndex.stdout.count > 200 { nonEmpty += 1 }
            }
        }
        #expect(nonEmpty >= 8)
    }

    /// A day cut short at a gzip member boundary is still valid gzip: `query --scan` read what was left and
    /// exited 0 with part of the day (a new-user trial). It now checks the file against its manifest (size first,
    /// then hash and count) and fails; `verify` names the damage.
    @Test func aScanOfADayCutAtAMemberBoundaryFails() async throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let root = try await ArchiveFixture.build(in: dir, perDay: [600], seed: 5)
        let day = ArchiveLayout.archivedDays(root)[0]
        let path = ArchiveLayout.archiveFile(root, day: day)
        let gz = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        var starts: [Int] = []
        _ = try GzipMembers.inflate(gz, name: path) { start, _, _, _ in starts.append(start) }
        #expect(starts.count >= 2, "the day needs two members: \(gz.count) bytes")
        let whole = try AuditPipeBinary.run(["query", root, "--scan", "--all"])
        #expect(whole.status == 0, "\(whole.stderr)")
        truncate(path, off_t(starts.last!))
        let cut = try AuditPipeBinary.run(["query", root, "--scan", "--all"])
        #expect(cut.status != 0)
        #expect(cut.stderr.contains("damaged archive"), "\(cut.stderr)")
        let verify = try AuditPipeBinary.run(["verify", root])
        #expect(verify.status == 4, "\(verify.stderr)")
    }

    /// From a new-user trial (helper-70, F4): an indexed query trusted the manifest's hash of a day file and never
    /// hashed the file again, so a day file edited after it was indexed (one member rewritten to the same length,
    /// the manifest untouched) answered from the edit with exit 0. Each member a query inflates is now checked
    /// against the digest the index took of it; the query fails, naming the member, and `verify` fails too.
    @Test func anIndexedQueryOfADayFileEditedSinceItWasIndexedFails() async throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let root = try await ArchiveFixture.build(in: dir, perDay: [300], seed: 9)
        let day = ArchiveLayout.archivedDays(root)[0]
        let path = ArchiveLayout.archiveFile(root, day: day)
        let gz = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        var bounds: [(Int, Int)] = []
        _ = try GzipMembers.inflate(gz, name: path) { start, end, _, _ in bounds.append((start, end)) }
        let (start, end) = bounds[0]
        let member = Array(gz[start..<end])
        let content = try GzipMembers.inflate(member, name: "member")
        // Every "alice" in the member becomes "zelda": same length, so each line keeps its place and its id.
        let text = String(decoding: content, as: UTF8.self)
        #expect(text.contains(#""user":"alice""#))
        let edited = Array(text.replacing(#""user":"alice""#, with: #""user":"zelda""#).utf8)
        #expect(edited.count == content.count)
        // Re-gzipped, then padded to the member's length with a gzip extra field (RFC 1952 FEXTRA).
        var forged: [UInt8] = []
        for level: Int32 in [9, 8, 7, 6] {
            let codec = try GzipMemberCodec(level: level)
            let made = edited.withUnsafeBufferPointer { codec.member($0) }
            if made.count + 2 <= member.count && made[3] == 0 {
                let pad = member.count - made.count - 2
                forged = Array(made[0..<3]) + [4] + Array(made[4..<10]) + [UInt8(pad & 0xFF), UInt8(pad >> 8)]
                forged += [UInt8](repeating: 0x41, count: pad) + Array(made[10...])
                break
            }
        }
        try #require(forged.count == member.count, "no level re-gzips the member shorter")
        let before = try AuditPipeBinary.run(["query", root, #"user == "alice""#])
        #expect(before.status == 0 && before.stdout.count > 0)
        try Data(gz[..<start] + forged + gz[end...]).write(to: URL(fileURLWithPath: path))
        #expect(CatalogOpening.open(archive: root) is IndexedCatalog)
        for filter in [#"user == "alice""#, "--all"] {
            let after = try AuditPipeBinary.run(["query", root, filter])
            #expect(after.status == 3, "\(filter): exit \(after.status) with \(after.stdout.count) bytes")
            #expect(
                after.stderr.contains("gzip member at byte \(start) does not hold what was indexed"),
                "\(filter): \(after.stderr)")
        }
        let verify = try AuditPipeBinary.run(["verify", root])
        #expect(verify.status == 4, "\(verify.stderr)")
    }
}
