import Foundation
import Testing

@testable import AuditPipe

/// Signed archives (issue 12): what a person with write access but without the signing key can do to an
/// archive — launder an edited day by re-chaining by hand, delete the newest or a middle day, put an old
/// copy back, slip in an unsigned manifest, sign with another key — `verify --public-key` catches with exit
/// 4 and a reason; `archive` refuses a damaged archive and never prunes a day that fails verification.
struct SignedArchiveTests {
    /// A temporary directory with keys in `keys/`, days 2026-11-01…04 (50 events each) archived and signed.
    static func signedArchive(days: ClosedRange<Int> = 1...4) throws -> URL {
        let dir = try AuditPipeBinary.temporaryDirectory()
        #expect(try ArchiveTests.run(["keys", "generate", "keys"], in: dir).0 == 0)
        _ = try ArchiveTests.makeLive(dir, days: days, perDay: 50)
        let (status, err) = try archive(dir)
        #expect(status == 0, "\(err)")
        return dir
    }

    /// An `--archive-retain` value that prunes 2026-11-01 and 2026-11-02 (and keeps 2026-11-03) today.
    static var keepPrunesTheFirstTwoDays: String {
        let now = Date().timeIntervalSince1970
        let cutoff = ISO8601DateFormatter().date(from: "2026-11-03T00:00:00Z")!.timeIntervalSince1970
        return "\(Int((now - cutoff) / 3600) - 1)h"
    }

    @discardableResult
    static func archive(_ dir: URL, _ extra: [String] = [], env: [String: String] = [:]) throws -> (Int32, String) {
        try ArchiveTests.run(
            ["archive", "--from", "live", "--to", "archive", "--signing-key", "keys/auditpipe-signing.key", "-q"]
                + extra, in: dir, env: env)
    }

    static func verify(_ dir: URL, _ extra: [String] = []) throws -> (Int32, String) {
        try ArchiveTests.run(["verify", "archive", "--public-key", "keys/auditpipe-signing.pub"] + extra, in: dir)
    }

    @discardableResult
    static func sh(_ script: String, in dir: URL) throws -> String {
        let (status, out) = try ArchiveTests.shell(script, in: dir)
        #expect(status == 0, "\(script): \(out)")
        return out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Rewrites a manifest as an attacker without the key would: JSON in, fields changed, JSON out.
    static func editManifest(_ dir: URL, day: String, _ edit: (inout [String: Any]) throws -> Void) throws {
        let url = dir.appendingPathComponent("archive/\(day.replacingOccurrences(of: "-", with: "/"))/manifest.json")
        var obj = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        try edit(&obj)
        try JSONSerialization.data(withJSONObject: obj).write(to: url)
    }

    static func expectCaught(_ dir: URL, _ expected: String, _ extra: [String] = []) throws {
        let (status, err) = try verify(dir, extra)
        #expect(status == 4, "\(err)")
        #expect(err.contains(expected), "\(err)")
    }

    /// Stripping every signature and the head, after editing a day and re-chaining by hand, must not get the
    /// next signing run to sign the archive as it now is: that run refuses until an operator says
    /// `--adopt-unsigned` (an unsigned archive's first signing).
    @Test func strippedSignaturesAreNotReSignedByTheNextRun() throws {
        let dir = try Self.signedArchive()
        defer { try? FileManager.default.removeItem(at: dir) }
        for day in ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"] {
            try Self.editManifest(dir, day: day) { m in
                m["signature"] = nil
                m["supersedes_manifest_sha256"] = nil
            }
        }
        try FileManager.default.removeItem(at: dir.appendingPathComponent("archive/head.json"))
        // The key's head record shows it signed this archive before: neither a run nor an adoption signs it.
        for extra in [[String](), ["--adopt-unsigned"]] {
            let (status, err) = try Self.archive(dir, extra)
            #expect(status == 4, "\(err)")
            #expect(err.contains("archive/head.json: missing: this key signed the archive before"), "\(err)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("archive/head.json").path))
        }
        // Without that record (another key directory, or removed), a run still refuses until an operator says
        // --adopt-unsigned.
        try Self.sh("rm -r keys/auditpipe-signing.key.heads", in: dir)
        let (status, err) = try Self.archive(dir)
        #expect(status == 4, "\(err)")
        #expect(err.contains("--adopt-unsigned"), "\(err)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("archive/head.json").path))
        // Said once, on purpose, by an operator who checked it: a fresh unsigned archive is adopted.
        let fresh = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: fresh) }
        #expect(try ArchiveTests.run(["keys", "generate", "keys"], in: fresh).0 == 0)
        _ = try ArchiveTests.makeLive(fresh, days: 1...2, perDay: 10)
        #expect(try ArchiveTests.run(["archive", "--from", "live", "--to", "archive", "-q"], in: fresh).0 == 0)
        _ = try ArchiveTests.makeLive(fresh, days: 3...3, perDay: 10)
        #expect(try Self.archive(fresh).0 == 4)
        let (adopted, why) = try Self.archive(fresh, ["--adopt-unsigned"])
        #expect(adopted == 0, "\(why)")
        #expect(try Self.verify(fresh).0 == 0)
    }

    @Test func signedArchiveVerifiesThroughMergesReruns_andKeyRotation() throws {
        let dir = try Self.signedArchive()
        defer { try? FileManager.default.removeItem(at: dir) }
        let mode =
            try FileManager.default.attributesOfItem(atPath: dir.path + "/keys/auditpipe-signing.key")[
                .posixPermissions] as! Int
        #expect(mode == 0o600)
        var (status, err) = try Self.verify(dir, ["--through", "2026-11-04"])
        #expect(status == 0 && err.contains("signatures and head valid"), "\(err)")
        // A day that is not on the calendar is refused, not compared as text.
        for day in ["2026-11-31", "2026-13-01", "2026-00-10", "2026-02-29", "2026-11-00"] {
            (status, err) = try Self.verify(dir, ["--through", day])
            #expect(status != 0 && err.contains("--through takes a day of the calendar"), "\(day): \(err)")
        }
        #expect(ArchiveVerifier.isCalendarDay("2028-02-29") && !ArchiveVerifier.isCalendarDay("2100-02-29"))
        (status, err) = try ArchiveTests.run(["verify", "archive"], in: dir)
        #expect(status == 0 && err.contains("signatures were not checked"), "\(err)")
        // A run with nothing to archive still rewrites the head; late events merged into day 2 re-chain 3 and 4.
        try Self.sh("cp archive/head.json head.before && sleep 1.1", in: dir)
        #expect(try Self.archive(dir).0 == 0)
        #expect(try Self.sh("cmp -s head.before archive/head.json || echo rewritten", in: dir) == "rewritten")
        _ = try ArchiveTests.makeLive(dir, days: 2...2, perDay: 10, seed: 5)
        #expect(try Self.archive(dir).0 == 0)
        (status, err) = try Self.verify(dir)
        #expect(status == 0, "after a merge: \(err)")
        // Key rotation: a new key from 2026-11-05 on; both public keys verify, the new one alone does not.
        #expect(try ArchiveTests.run(["keys", "generate", "keys2"], in: dir).0 == 0)
        _ = try ArchiveTests.makeLive(dir, days: 5...5, perDay: 20, seed: 6)
        (status, err) = try ArchiveTests.run(
            [
                "archive", "--from", "live", "--to", "archive", "--signing-key", "keys2/auditpipe-signing.key",
                "--public-key", "keys/auditpipe-signing.pub", "-q",
            ], in: dir)
        #expect(status == 0, "\(err)")
        (status, err) = try ArchiveTests.run(
            [
                "verify", "archive", "--public-key", "keys/auditpipe-signing.pub", "--public-key",
                "keys2/auditpipe-signing.pub", "--through", "2026-11-05",
            ], in: dir)
        #expect(status == 0, "\(err)")
        (status, err) = try ArchiveTests.run(
            ["verify", "archive", "--public-key", "keys2/auditpipe-signing.pub"], in: dir)
        #expect(status == 4 && err.contains("signed by a key not given with --public-key"), "\(err)")
        // Without the old key, archive refuses to chain onto days it cannot verify.
        (status, err) = try ArchiveTests.run(
            ["archive", "--from", "live", "--to", "archive", "--signing-key", "keys2/auditpipe-signing.key"], in: dir)
        #expect(status == 4 && err.contains("signed by a key not given"), "\(err)")
    }

    @Test func handLaunderedChainIsCaught() throws {
        let dir = try Self.signedArchive()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Remove the first event of 2026-11-02, rebuild its manifest's hashes and re-chain 03 and 04.
        let gz = "archive/2026/11/02/events-2026-11-02.jsonl.gz"
        try Self.sh("zcat \(gz) | sed 1d > content && gzip -n -c content > \(gz).new && mv \(gz).new \(gz)", in: dir)
        let content = try Data(contentsOf: dir.appendingPathComponent("content"))
        let firstLine = String(decoding: content.split(separator: 10).first!, as: UTF8.self)
        let firstStart = (try JSONSerialization.jsonObject(with: Data(firstLine.utf8)) as! [String: Any])["start"]!
        let gzSize = try FileManager.default.attributesOfItem(atPath: dir.path + "/" + gz)[.size] as! Int
        let gzSHA = try Self.sh("sha256sum \(gz) | cut -c1-64", in: dir)
        let contentSHA = try Self.sh("sha256sum content | cut -c1-64", in: dir)
        try Self.editManifest(dir, day: "2026-11-02") { m in
            m["events"] = (m["events"] as! Int) - 1
            m["first_start"] = firstStart
            m["compressed_bytes"] = gzSize
            m["uncompressed_bytes"] = content.count
            m["gzip_sha256"] = gzSHA
            m["content_sha256"] = contentSHA
        }
        for (day, before) in [("2026-11-03", "02"), ("2026-11-04", "03")] {
            let sha = try Self.sh("sha256sum archive/2026/11/\(before)/manifest.json | cut -c1-64", in: dir)
            try Self.editManifest(dir, day: day) { $0["previous_manifest_sha256"] = sha }
        }
        // Without keys the head, unchecked, still names the chain's old end (this passed before).
        let (headed, herr) = try ArchiveTests.run(["verify", "archive"], in: dir)
        #expect(headed == 4 && herr.contains("archive/head.json: chain end differs from the signed head"), "\(herr)")
        // With the head put aside too, the signed manifests still ask for one; the signatures are not fooled either.
        // (Before, the index, built before the edit, was all that saw the day changed without keys.)
        try Self.sh("mv archive/head.json head.json.kept", in: dir)
        let (headless, lerr) = try ArchiveTests.run(["verify", "archive"], in: dir)
        #expect(headless == 4 && lerr.contains("archive/head.json: missing: the archive's manifests carry signatures"))
        try Self.sh("mv head.json.kept archive/head.json", in: dir)
        try Self.expectCaught(dir, "archive/2026/11/02/manifest.json: bad signature")
    }

    @Test func deletedMiddleDayFollowedByAnArchiveRunIsCaught() throws {
        let dir = try Self.signedArchive()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.sh("rm archive/2026/11/02", in: dir)
        _ = try ArchiveTests.makeLive(dir, days: 5...5, perDay: 10, seed: 3)
        let (status, err) = try Self.archive(dir)
        #expect(status == 4 && err.contains("chain broken"), "archive must refuse to re-chain: \(err)")
        #expect(FileManager.default.fileExists(atPath: dir.path + "/live/events-2026-11-05.jsonl"))
        try Self.expectCaught(
            dir,
            "archive/2026/11/03/manifest.json: chain broken: previous_manifest_sha256 does not match the manifest of 2026-11-01"
        )
        // Unsigned runs may not re-chain a signed archive either.
        let (unsigned, uerr) = try ArchiveTests.run(["archive", "--from", "live", "--to", "archive"], in: dir)
        #expect(unsigned == 4 && uerr.contains("the archive is signed"), "\(uerr)")
        // Recovery as the README says: the refused runs removed nothing; relink the version, and all verifies.
        try Self.sh("cd archive/2026/11 && ln -s 02.* 02", in: dir)
        #expect(try Self.archive(dir).0 == 0)
        #expect(try Self.verify(dir, ["--through", "2026-11-05"]).0 == 0)
    }

    @Test func deletedNewestDayIsCaught() throws {
        let dir = try Self.signedArchive()
        defer { try? FileManager.default.removeItem(at: dir) }
        // The link and its version (the link alone leaves a version no day links to: `extra`, ArchiveStrayTests).
        try Self.sh("rm -r \"$(readlink -f archive/2026/11/04)\" archive/2026/11/04", in: dir)
        // Without keys the head, unchecked, still names the day gone (this passed before).
        let (keyless, kerr) = try ArchiveTests.run(["verify", "archive"], in: dir)
        #expect(
            keyless == 4 && kerr.contains("archive/head.json: missing: the signed head names 2026-11-04"), "\(kerr)")
        // Without the index, the head alone catches it.
        try FileManager.default.removeItem(at: dir.appendingPathComponent("archive/index.sqlite"))
        #expect(try ArchiveTests.run(["verify", "archive"], in: dir).0 == 4)
        try Self.expectCaught(
            dir,
            "archive/head.json: missing: the signed head names 2026-11-04 as the last day but the archive ends at 2026-11-03"
        )
        #expect(try Self.archive(dir).0 == 4)
    }

    /// Without keys `verify` still holds the chain to the head it finds: another archive's head put into an
    /// unsigned archive passed a verify without keys (a new-user trial), though `archive` refused it.
    @Test func anotherArchivesHeadInAnUnsignedArchiveIsCaughtWithoutKeys() throws {
        let signed = try Self.signedArchive()
        defer { try? FileManager.default.removeItem(at: signed) }
        let plain = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: plain) }
        // A signed archive verified without keys passes: its chain ends at its head.
        #expect(try ArchiveTests.run(["verify", "archive"], in: signed).0 == 0)
        _ = try ArchiveTests.makeLive(plain, days: 5...6, perDay: 20, seed: 3)
        #expect(try ArchiveTests.run(["archive", "--from", "live", "--to", "archive", "-q"], in: plain).0 == 0)
        #expect(try ArchiveTests.run(["verify", "archive"], in: plain).0 == 0)
        try FileManager.default.copyItem(
            at: signed.appendingPathComponent("archive/head.json"),
            to: plain.appendingPathComponent("archive/head.json"))
        let (status, err) = try ArchiveTests.run(["verify", "archive"], in: plain)
        #expect(status == 4, "\(err)")
        // Nothing is missing (the archive ends later than the head): the head is another archive's.
        #expect(
            err.contains(
                "archive/head.json: replaced: the signed head names a version of 2026-11-04 that this archive"),
            "\(err)")
        // An unsigned archive has no head to hold the chain to: its newest day deleted, the index is what sees it.
        try Self.sh("rm archive/head.json && rm -r \"$(readlink -f archive/2026/11/06)\" archive/2026/11/06", in: plain)
        let (unsigned, uerr) = try ArchiveTests.run(["verify", "archive"], in: plain)
        #expect(
            unsigned == 4
                && uerr.contains(
                    "index.sqlite: stale: 2026-11-06 is indexed but the archive ends at 2026-11-05: its newest days were deleted"
                ),
            "\(uerr)")
    }

    /// Deleting the head as well (with the newest day) must not get a verify without keys past it: manifests that
    /// carry signatures make the archive a signed one, which has a head (a second trial).
    @Test func aSignedArchiveWithoutItsHeadIsCaughtWithoutKeys() throws {
        let dir = try Self.signedArchive()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.sh(
            "rm archive/head.json archive/index.sqlite && rm -r \"$(readlink -f archive/2026/11/04)\" archive/2026/11/04",
            in: dir)
        let (status, err) = try ArchiveTests.run(["verify", "archive"], in: dir)
        #expect(status == 4, "\(err)")
        #expect(err.contains("archive/head.json: missing: the archive's manifests carry signatures"), "\(err)")
    }

    @Test func oldCopyPutBackIsCaughtWithThrough() throws {
        let dir = try Self.signedArchive(days: 1...3)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.sh("cp -a archive archive.old", in: dir)
        _ = try ArchiveTests.makeLive(dir, days: 4...4, perDay: 10, seed: 2)
        #expect(try Self.archive(dir).0 == 0)
        #expect(try Self.verify(dir, ["--through", "2026-11-04"]).0 == 0)
        try Self.sh("rm -r archive && mv archive.old archive", in: dir)
        #expect(try Self.verify(dir).0 == 0)  // a consistent old copy: only --through tells
        try Self.expectCaught(
            dir, "archive/head.json: older than --through 2026-11-04: the signed head's last day is 2026-11-03",
            ["--through", "2026-11-04"])
        // The next signing run compares the head with the last one its key wrote, and refuses.
        _ = try ArchiveTests.makeLive(dir, days: 5...5, perDay: 10, seed: 3)
        let (status, err) = try Self.archive(dir)
        #expect(status == 4, "\(err)")
        #expect(
            err.contains(
                "archive/head.json: rolled back: the signed head (last day 2026-11-03, written "), "\(err)")
        #expect(err.contains("is older than the last head this key wrote for the archive (last day 2026-11-04"))
        #expect(FileManager.default.fileExists(atPath: dir.path + "/live/events-2026-11-05.jsonl"))
    }

    /// The newest days deleted and an older signed head put back (any head the key ever wrote, even a first
    /// run's with no day) is a consistent older archive that verify alone cannot tell from the real one; the
    /// next cron run used to finish it as a killed run and sign it. The key's head record refuses it, and a
    /// restore made on purpose is accepted once the record is removed (helper-38).
    @Test func deletedNewestDaysWithAnOldHeadPutBackAreNotSigned() throws {
        let dir = try Self.signedArchive(days: 1...3)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.sh("cp archive/head.json old-head.json", in: dir)
        _ = try ArchiveTests.makeLive(dir, days: 4...5, perDay: 10, seed: 2)
        #expect(try Self.archive(dir).0 == 0)
        try Self.sh("rm -r archive/2026/11/04* archive/2026/11/05* && cp old-head.json archive/head.json", in: dir)
        _ = try ArchiveTests.makeLive(dir, days: 6...6, perDay: 10, seed: 3)
        let before = try Self.sh("ls -lR archive | md5sum", in: dir)
        let (status, err) = try Self.archive(dir)
        #expect(status == 4 && err.contains("archive/head.json: rolled back"), "\(err)")
        #expect(try Self.sh("ls -lR archive | md5sum", in: dir) == before)
        try Self.sh("rm -r keys/auditpipe-signing.key.heads", in: dir)
        let (restored, rerr) = try Self.archive(dir)
        #expect(restored == 0, "\(rerr)")
        #expect(try Self.verify(dir, ["--through", "2026-11-06"]).0 == 0)
    }

    /// Another archive signed with the same key, built later from the same live files (its head newer, its last
    /// day the same), put in the archive's place: the head record holds the head this key last wrote, and a
    /// head is accepted only when it is that one or names it as the head it replaced, whatever its time says
    /// (helper-39 #1, #2: two heads of one second, or a newer head of another archive, passed).
    @Test func anotherArchiveSignedWithTheKeyIsNotTakenForThisOne() throws {
        let dir = try Self.signedArchive(days: 1...3)
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try ArchiveTests.makeLive(dir, days: 1...3, perDay: 50)
        Thread.sleep(forTimeInterval: 1.1)  // a run of the same second writes the same archive, byte for byte
        let (built, berr) = try ArchiveTests.run(
            ["archive", "--from", "live", "--to", "other", "--signing-key", "keys/auditpipe-signing.key", "-q"],
            in: dir)
        #expect(built == 0, "\(berr)")
        #expect(try Self.sh("cmp -s archive/head.json other/head.json || echo differ", in: dir) == "differ")
        try Self.sh("rm -r archive && mv other archive", in: dir)
        #expect(try Self.verify(dir).0 == 0)  // a valid archive of this key: only the record tells
        _ = try ArchiveTests.makeLive(dir, days: 4...4, perDay: 10, seed: 2)
        let before = try Self.sh("ls -lR archive | md5sum", in: dir)
        let (status, err) = try Self.archive(dir)
        #expect(
            status == 4
                && err.contains(
                    "archive/head.json: replaced: the signed head does not follow the last head this key wrote"),
            "\(err)")
        #expect(try Self.sh("ls -lR archive | md5sum", in: dir) == before)
        #expect(FileManager.default.fileExists(atPath: dir.path + "/live/events-2026-11-04.jsonl"))
    }

    /// The pruned record of another archive signed with the same key (the same days, pruned there) copied in
    /// and this archive's oldest days deleted: the days pass as pruned unless the head names the pruned record
    /// it covers. Verify and a signing run refuse it; the archive's own record put back verifies again
    /// (helper-39 #3).
    @Test func aPrunedRecordFromAnotherArchiveIsRefused() throws {
        let keep = Self.keepPrunesTheFirstTwoDays
        let dir = try Self.signedArchive()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try ArchiveTests.makeLive(dir, days: 1...4, perDay: 50)
        for extra in [[String](), ["--archive-retain", keep]] {
            let (status, err) = try ArchiveTests.run(
                ["archive", "--from", "live", "--to", "other", "--signing-key", "keys/auditpipe-signing.key", "-q"]
                    + extra, in: dir)
            #expect(status == 0, "\(err)")
        }
        let listed = try Self.sh("ls archive/pruned.json 2>/dev/null; ls other/pruned.json", in: dir)
        #expect(listed == "other/pruned.json", "\(listed)")
        try Self.sh("cp other/pruned.json archive/ && rm -r archive/2026/11/01* archive/2026/11/02*", in: dir)
        let expected = "archive/pruned.json: extra: a pruned record the signed head does not name"
        try Self.expectCaught(dir, expected)
        let before = try Self.sh("ls -lR archive | md5sum", in: dir)
        let (status, err) = try Self.archive(dir)
        #expect(status == 4 && err.contains(expected), "\(err)")
        #expect(try Self.sh("ls -lR archive | md5sum", in: dir) == before)
        // This archive's own pruning, then the other's record again: replaced, not the one the head names.
        try Self.sh("rm -rf archive keys/auditpipe-signing.key.heads && mv other archive.keep", in: dir)
        _ = try ArchiveTests.makeLive(dir, days: 1...5, perDay: 50)
        for extra in [[String](), ["--archive-retain", keep]] {
            #expect(try Self.archive(dir, extra).0 == 0)
        }
        #expect(try Self.verify(dir).0 == 0)
        try Self.sh("cp archive/pruned.json own.json && cp archive.keep/pruned.json archive/", in: dir)
        try Self.expectCaught(dir, "archive/pruned.json: replaced: not the pruned record the signed head names")
        try Self.sh("cp own.json archive/pruned.json", in: dir)
        #expect(try Self.verify(dir).0 == 0)
    }

    /// A live file that arrives for a day retention already pruned is not archived again (the pruned record
    /// names the day's last version, and a new one made every later verify and archive fail): its lines are
    /// kept in `live/late-DAY.jsonl`, each once, named and counted, and the archive stays verifiable with or
    /// without retention (helper-39 #7).
    @Test func aLateLiveFileForAPrunedDayIsKeptAsideNotArchived() throws {
        let keep = Self.keepPrunesTheFirstTwoDays
        let dir = try Self.signedArchive()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try Self.archive(dir, ["--archive-retain", keep]).0 == 0)
        let late = try ArchiveTests.makeLive(dir, days: 1...1, perDay: 5, seed: 7)
        #expect(late.count == 5)
        for (run, extra) in [[String](), ["--archive-retain", keep]].enumerated() {
            if run == 1 { _ = try ArchiveTests.makeLive(dir, days: 1...1, perDay: 5, seed: 7) }
            let (status, err) = try ArchiveTests.run(
                ["archive", "--from", "live", "--to", "archive", "--signing-key", "keys/auditpipe-signing.key"]
                    + extra, in: dir)
            #expect(status == 0, "\(err)")
            #expect(
                err.contains(
                    "kept 5 lines in live/late-2026-11-01.jsonl, not archived: 2026-11-01 was pruned (--archive-retain)"
                ),
                "\(err)")
            #expect(err.contains("0 days, 0 events"), "\(err)")
            #expect(!FileManager.default.fileExists(atPath: dir.path + "/live/events-2026-11-01.jsonl"))
            #expect(
                ArchiveTests.lines(dir.appendingPathComponent("live/late-2026-11-01.jsonl")).sorted() == late.sorted())
            let (verify, verr) = try Self.verify(dir)
            #expect(verify == 0 && verr.contains("2 days, 100 events"), "\(verr)")
        }
        // Late lines for a day the same run prunes were merged into it and deleted with it (helper-40 #4).
        let same = try Self.signedArchive()
        defer { try? FileManager.default.removeItem(at: same) }
        let lateToo = try ArchiveTests.makeLive(same, days: 2...2, perDay: 4, seed: 8)
        let (status, err) = try ArchiveTests.run(
            [
                "archive", "--from", "live", "--to", "archive", "--signing-key", "keys/auditpipe-signing.key",
                "--archive-retain", keep,
            ], in: same)
        #expect(status == 0 && err.contains("2 days pruned"), "\(err)")
        #expect(
            err.contains(
                "kept 4 lines in live/late-2026-11-02.jsonl, not archived: 2026-11-02 is past --archive-retain"),
            "\(err)")
        #expect(
            ArchiveTests.lines(same.appendingPathComponent("live/late-2026-11-02.jsonl")).sorted() == lateToo.sorted())
        #expect(try Self.verify(same).0 == 0)
    }

    /// A run killed after it archived a day but before the signed head named it keeps that day's live file:
    /// the day deleted from the archive then is archived again by the next run, not lost (helper-38).
    @Test func aDayArchivedByAKilledRunKeepsItsLiveFileUntilTheHeadNamesIt() throws {
        let base = try Self.signedArchive(days: 1...2)
        defer { try? FileManager.default.removeItem(at: base) }
        let events = Set(try ArchiveTests.makeLive(base, days: 3...3, perDay: 10, seed: 2))
        var found = 0
        for point in 1...40 {
            try Self.sh("rm -rf w && mkdir w && cp -a keys live archive w/", in: base)
            let dir = base.appendingPathComponent("w")
            let (status, _) = try Self.archive(dir, env: ["AUDITPIPE_CRASH_AT": "\(point)"])
            if status == 0 { break }
            // The state that matters: day 3 published, the head not yet naming it.
            let published = FileManager.default.fileExists(atPath: dir.path + "/archive/2026/11/03/manifest.json")
            let head = try Self.sh("cat archive/head.json", in: dir)
            guard published && !head.contains(#""last_day":"2026-11-03""#) else { continue }
            found += 1
            #expect(
                FileManager.default.fileExists(atPath: dir.path + "/live/events-2026-11-03.jsonl"), "point \(point)")
            try Self.sh("rm -r archive/2026/11/03*", in: dir)
            let (again, err) = try Self.archive(dir)
            #expect(again == 0, "point \(point): \(err)")
            #expect(try Self.verify(dir, ["--through", "2026-11-03"]).0 == 0, "point \(point)")
            let day = try Self.sh("zcat archive/2026/11/03/events-2026-11-03.jsonl.gz", in: dir)
            #expect(Set(day.split(separator: "\n").map(String.init)) == events, "point \(point)")
        }
        #expect(found > 0)
    }

    @Test func unsignedManifestSlippedInIsCaught() throws {
        let dir = try Self.signedArchive()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.sh(#"sed -i 's/,"signature":{[^}]*}//' archive/2026/11/03/manifest.json"#, in: dir)
        #expect(try ArchiveTests.run(["verify", "archive"], in: dir).0 == 4)  // its hash changed: chain broken
        try Self.expectCaught(
            dir, "archive/2026/11/03/manifest.json: unsigned: an unsigned manifest in a signed archive")
    }

    @Test func signatureByAnotherKeyIsCaught() throws {
        let dir = try Self.signedArchive()
        defer { try? FileManager.default.removeItem(at: dir) }
        // The attacker re-archives the same events under a key of their own.
        #expect(try ArchiveTests.run(["keys", "generate", "mallory"], in: dir).0 == 0)
        try Self.sh("rm -r archive", in: dir)
        _ = try ArchiveTests.makeLive(dir, days: 1...4, perDay: 50)
        let (status, err) = try ArchiveTests.run(
            ["archive", "--from", "live", "--to", "archive", "--signing-key", "mallory/auditpipe-signing.key"], in: dir)
        #expect(status == 0, "\(err)")
        #expect(try ArchiveTests.run(["verify", "archive"], in: dir).0 == 0)
        try Self.expectCaught(dir, "archive/head.json: signed by a key not given with --public-key")
    }

    /// A signed head whose members are read one way by auditpipe and another by jq: a key written twice (the
    /// signature was checked over the first values, jq reads the last) or `schema_version` as a string. Verify
    /// and a signing run refuse it as edited, naming the member.
    @Test(arguments: [
        (#"s/}$/,"last_day":"2026-11-09"}/"#, #"duplicate key "last_day""#),
        (#"s/"ed25519"/"key_id":"0000000000000000","ed25519"/"#, #"duplicate key "signature.key_id""#),
        (#"s/"schema_version":2,/"schema_version":"2",/"#, #"schema_version is the string "2", not a JSON integer"#),
    ])
    func aHeadWithADuplicateKeyOrAStringVersionIsCaught(sed: String, reason: String) throws {
        let dir = try Self.signedArchive()
        defer { try? FileManager.default.removeItem(at: dir) }
        let before = try Self.sh("md5sum < archive/head.json", in: dir)
        try Self.sh("sed -i '\(sed)' archive/head.json", in: dir)
        #expect(try Self.sh("md5sum < archive/head.json", in: dir) != before, "\(sed): the head was not edited")
        let expected = "archive/head.json: edited: not a valid head: \(reason)"
        try Self.expectCaught(dir, expected)
        let (status, err) = try Self.archive(dir)
        #expect(status == 4 && err.contains(expected), "\(err)")
    }

    /// The signatures of the head and the pruned record cover the bytes auditpipe writes for their values: a
    /// copy with members reordered or respaced, a number written `01`, upper-case signature hex or a key twice
    /// reads the same values but is not the file that was signed, and is refused (helper-37). An `archive` run
    /// refuses an invalid pruned record rather than rewriting it without its days.
    @Test func aReformattedHeadOrPrunedRecordIsCaught() throws {
        let keep = Self.keepPrunesTheFirstTwoDays
        let dir = try Self.signedArchive()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (pruned, perr) = try Self.archive(dir, ["--archive-retain", keep])
        #expect(pruned == 0, "\(perr)")
        #expect(try Self.verify(dir).0 == 0)
        let notExact = "not in the exact form auditpipe writes"
        let cases: [(file: String, sed: String, reason: String)] = [
            ("head.json", #"s/,"last_day"/, "last_day"/"#, "edited: not a valid head: \(notExact)"),
            // `02` is no JSON number (it was read as 2, and refused as not the exact form).
            (
                "head.json", #"s/"schema_version":2,/"schema_version":02,/"#,
                "edited: not a valid head: not JSON: invalid number (a leading zero)"
            ),
            (
                "head.json", #"s/("run_time":"[^"]*"),("tool_version":"[^"]*")/\2,\1/"#,
                "edited: not a valid head: \(notExact)"
            ),
            ("head.json", #"s/("ed25519":")([0-9a-f]+)/\1\U\2/"#, "bad signature"),
            ("pruned.json", #"s/\[/[ /"#, "edited: not a valid pruned record: \(notExact)"),
            ("pruned.json", #"s/^\{/{"pruned":[],/"#, #"edited: not a valid pruned record: duplicate key "pruned""#),
            (
                "pruned.json", #"s/"2026-11-01"/"2026-11-1"/"#,
                #"edited: not a valid pruned record: pruned.0.day is "2026-11-1", not a day"#
            ),
        ]
        for c in cases {
            let file = "archive/\(c.file)"
            try Self.sh("cp \(file) saved", in: dir)
            let before = try Self.sh("md5sum < \(file)", in: dir)
            try Self.sh("sed -i -E '\(c.sed)' \(file)", in: dir)
            #expect(try Self.sh("md5sum < \(file)", in: dir) != before, "\(c.sed): \(file) was not edited")
            try Self.expectCaught(dir, "\(file): \(c.reason)")
            let (status, err) = try Self.archive(dir)
            #expect(status == 4 && err.contains("\(file): \(c.reason)"), "\(c.sed): \(err)")
            #expect(try Self.sh("cat \(file) | md5sum", in: dir) != before, "\(c.sed): archive rewrote \(file)")
            try Self.sh("mv saved \(file)", in: dir)
        }
        #expect(try Self.verify(dir).0 == 0)
    }

    /// A live line with an archived event's event_id and other content (a forged copy) never replaces the
    /// archived event, whatever order the live file holds it in: the archived line stands, the forged one is
    /// kept aside in the live directory's conflicts file (once, however often it is met) and named, and an
    /// identical copy is dropped as a duplicate (helper-37: the forged line could win, and was counted as a
    /// duplicate dropped).
    @Test func aLiveLineReusingAnArchivedEventIDNeverReplacesIt() throws {
        var archived: [String] = []
        for forgedFirst in [true, false] {
            let dir = try Self.signedArchive()
            defer { try? FileManager.default.removeItem(at: dir) }
            let gz = "archive/2026/11/02/events-2026-11-02.jsonl.gz"
            let original = try Self.sh(#"zcat \#(gz) | grep -m1 '"user":"'"#, in: dir)
            let forged = original.replacingOccurrences(of: #""user":""#, with: #""user":"mallory-"#)
            #expect(forged != original)
            let live = dir.appendingPathComponent("live/events-2026-11-02.jsonl")
            let lines = forgedFirst ? [forged, original] : [original, forged]
            for _ in 0..<2 {
                try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: live)
                let (status, err) = try Self.archive(dir)
                #expect(status == 0, "\(err)")
                #expect(
                    err.contains(
                        "kept 1 line in live/conflicts-2026-11-02.jsonl, not archived: each has the event_id of an archived event"
                    ), "\(err)")
                let day = try Self.sh("zcat \(gz)", in: dir).split(separator: "\n").map(String.init)
                #expect(day.count == 50 && day.contains(original) && !day.contains(forged))
                #expect(try Self.sh("cat live/conflicts-2026-11-02.jsonl", in: dir) == forged)
                #expect(try Self.verify(dir).0 == 0)
            }
            archived.append(try Self.sh("zcat \(gz) | md5sum", in: dir))
        }
        #expect(archived[0] == archived[1])
    }

    @Test func archiveRefusesADamagedArchiveAndChangesNothing() throws {
        let dir = try Self.signedArchive()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.sh(#"sed -i 's/"events":50/"events":49/' archive/2026/11/03/manifest.json"#, in: dir)
        _ = try ArchiveTests.makeLive(dir, days: 5...5, perDay: 10, seed: 4)
        let before = try Self.sh("ls -lR archive | md5sum", in: dir)
        let (status, err) = try Self.archive(dir)
        #expect(status == 4, "\(err)")
        #expect(
            err.contains(
                "the archive fails verification, nothing was changed: archive/2026/11/03/manifest.json: bad signature"),
            "\(err)")
        #expect(try Self.sh("ls -lR archive | md5sum", in: dir) == before)
        #expect(FileManager.default.fileExists(atPath: dir.path + "/live/events-2026-11-05.jsonl"))
    }

    @Test func lateEventsAreNeverMergedIntoATamperedDay() throws {
        let dir = try Self.signedArchive()
        defer { try? FileManager.default.removeItem(at: dir) }
        // The gzip file of 2026-11-02 edited (its signed manifest left alone), then late events for that day.
        let gz = "archive/2026/11/02/events-2026-11-02.jsonl.gz"
        try Self.sh("zcat \(gz) | sed 1d | gzip -n > x.gz && mv x.gz \(gz)", in: dir)
        _ = try ArchiveTests.makeLive(dir, days: 2...2, perDay: 5, seed: 8)
        let (status, err) = try Self.archive(dir)
        // gzip's output, a line shorter, is a whole gzip file of the day of another size than the signed manifest's:
        // edited, not cut or grown.
        let reason = "\(gz): edited: a whole gzip file of 2026-11-02's events but not the archived one"
        #expect(status == 4 && err.contains(reason), "\(err)")
        try Self.expectCaught(dir, reason)
        #expect(FileManager.default.fileExists(atPath: dir.path + "/live/events-2026-11-02.jsonl"))
    }

    @Test func retentionPrunesIntoTheSignedChainButNeverAnUnverifiedDay() throws {
        let keep = Self.keepPrunesTheFirstTwoDays

        let damaged = try Self.signedArchive()
        defer { try? FileManager.default.removeItem(at: damaged) }
        try Self.sh("truncate -s -10 archive/2026/11/01/events-2026-11-01.jsonl.gz", in: damaged)
        let (status, err) = try Self.archive(damaged, ["--archive-retain", keep])
        #expect(status == 4 && err.contains("events-2026-11-01.jsonl.gz: truncated"), "\(err)")
        #expect(FileManager.default.fileExists(atPath: damaged.path + "/archive/2026/11/01/manifest.json"))
        #expect(!FileManager.default.fileExists(atPath: damaged.path + "/archive/pruned.json"))

        let dir = try Self.signedArchive()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (pruned, perr) = try Self.archive(dir, ["--archive-retain", keep])
        #expect(pruned == 0, "\(perr)")
        let (ok, okErr) = try Self.verify(dir)
        #expect(
            ok == 0 && okErr.contains("verified 2 days, 100 events, chain intact (2 pruned days recorded)"), "\(okErr)")
        // The pruned record is signed: dropping an entry from it is caught.
        try Self.sh(#"sed -i 's/{"day":"2026-11-01","manifest_sha256":"[0-9a-f]*"},//' archive/pruned.json"#, in: dir)
        try Self.expectCaught(dir, "archive/pruned.json: bad signature")
    }

    @Test func signedRunsKilledAtEveryStepAreFinishedByTheNextAndVerify() throws {
        let base = try Self.signedArchive(days: 2...3)
        defer { try? FileManager.default.removeItem(at: base) }
        let first = Set(try ArchiveTests.makeLive(base, days: 2...3, perDay: 50))
        // A day inserted before the archived ones (1), late events for 2–3 (merges and re-chains of what
        // follows) and new days 4–5.
        let second = try ArchiveTests.makeLive(base, days: 1...5, perDay: 30, seed: 1)
        let expected = first.union(second)
        var crashes = 0
        for point in 1...40 {
            let dir = base.appendingPathComponent("crash-\(point)")
            #expect(try Self.sh("mkdir '\(dir.path)' && cp -a keys live archive '\(dir.path)/'", in: base).isEmpty)
            let (status, _) = try ArchiveTests.run(
                [
                    "archive", "--from", "live", "--to", "archive", "--signing-key", "keys/auditpipe-signing.key",
                    "--archive-retain", "20000d", "-q",
                ], in: dir, env: ["AUDITPIPE_CRASH_AT": "\(point)"])
            if status != 0 { crashes += 1 }
            let (rerun, err) = try Self.archive(dir)
            #expect(rerun == 0, "point \(point): \(err)")
            let (verify, verr) = try Self.verify(dir, ["--through", "2026-11-05"])
            #expect(verify == 0, "point \(point): \(verr)")
            #expect(try ArchiveTests.run(["query", "archive", "--all", "-o", "back.jsonl", "-q"], in: dir).0 == 0)
            let back = ArchiveTests.lines(dir.appendingPathComponent("back.jsonl"))
            #expect(back.count == expected.count && Set(back) == expected, "point \(point): \(back.count) events")
        }
        #expect(crashes >= 15)
    }

    /// From a new-user trial: a first signed run killed after it had signed some days but before it wrote the
    /// head left signatures without a head, which no later run would finish (a deleted head looks the same).
    /// The head is now written first; the same command finishes the run from any kill point.
    @Test func aFirstSignedRunKilledAtEveryStepIsFinishedByTheSameCommand() throws {
        let base = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: base) }
        #expect(try ArchiveTests.run(["keys", "generate", "keys"], in: base).0 == 0)
        let expected = Set(try ArchiveTests.makeLive(base, days: 1...4, perDay: 20))
        var crashes = 0
        for point in 1...30 {
            let dir = base.appendingPathComponent("crash-\(point)")
            #expect(try Self.sh("mkdir '\(dir.path)' && cp -a keys live '\(dir.path)/'", in: base).isEmpty)
            let (status, _) = try ArchiveTests.run(
                ["archive", "--from", "live", "--to", "archive", "--signing-key", "keys/auditpipe-signing.key", "-q"],
                in: dir, env: ["AUDITPIPE_CRASH_AT": "\(point)"])
            if status != 0 { crashes += 1 }
            let (rerun, err) = try Self.archive(dir)
            #expect(rerun == 0, "point \(point): \(err)")
            let (verify, verr) = try Self.verify(dir, ["--through", "2026-11-04"])
            #expect(verify == 0, "point \(point): \(verr)")
            #expect(try ArchiveTests.run(["query", "archive", "--all", "-o", "back.jsonl", "-q"], in: dir).0 == 0)
            let back = ArchiveTests.lines(dir.appendingPathComponent("back.jsonl"))
            #expect(back.count == expected.count && Set(back) == expected, "point \(point): \(back.count) events")
        }
        #expect(crashes >= 10)
    }

    /// The same for an adoption (`--adopt-unsigned` of an unsigned archive, with late events and a new day):
    /// killed anywhere, it is finished by saying `--adopt-unsigned` again, and without it the run refuses.
    @Test func anAdoptionKilledAtEveryStepIsFinishedByAdoptingAgain() throws {
        let base = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: base) }
        #expect(try ArchiveTests.run(["keys", "generate", "keys"], in: base).0 == 0)
        let first = Set(try ArchiveTests.makeLive(base, days: 1...3, perDay: 20))
        #expect(try ArchiveTests.run(["archive", "--from", "live", "--to", "archive", "-q"], in: base).0 == 0)
        let expected = first.union(try ArchiveTests.makeLive(base, days: 2...4, perDay: 10, seed: 1))
        var crashes = 0
        for point in 1...30 {
            let dir = base.appendingPathComponent("crash-\(point)")
            #expect(try Self.sh("mkdir '\(dir.path)' && cp -a keys live archive '\(dir.path)/'", in: base).isEmpty)
            let (status, _) = try Self.archive(dir, ["--adopt-unsigned"], env: ["AUDITPIPE_CRASH_AT": "\(point)"])
            if status != 0 { crashes += 1 }
            let (plain, perr) = try Self.archive(dir)
            #expect(plain == 0 || perr.contains("--adopt-unsigned"), "point \(point): \(perr)")
            let (rerun, err) = try Self.archive(dir, ["--adopt-unsigned"])
            #expect(rerun == 0, "point \(point): \(err)")
            let (verify, verr) = try Self.verify(dir, ["--through", "2026-11-04"])
            #expect(verify == 0, "point \(point): \(verr)")
            #expect(try ArchiveTests.run(["query", "archive", "--all", "-o", "back.jsonl", "-q"], in: dir).0 == 0)
            let back = ArchiveTests.lines(dir.appendingPathComponent("back.jsonl"))
            #expect(back.count == expected.count && Set(back) == expected, "point \(point): \(back.count) events")
        }
        #expect(crashes >= 10)
    }

    /// Adopting does not trust what an unsigned manifest says it replaced: an unsigned last day put in the
    /// place of the signed one, naming the signed version as the one it supersedes, is still caught.
    @Test func anUnsignedDayClaimingToReplaceTheHeadsDayIsNotAdopted() throws {
        let dir = try Self.signedArchive(days: 1...2)
        defer { try? FileManager.default.removeItem(at: dir) }
        let old = try Self.sh("sha256sum archive/2026/11/02/manifest.json | cut -c1-64", in: dir)
        try Self.editManifest(dir, day: "2026-11-02") { m in
            m["signature"] = nil
            m["supersedes_manifest_sha256"] = old
        }
        let (status, err) = try Self.archive(dir, ["--adopt-unsigned"])
        #expect(status == 4, "\(err)")
        #expect(err.contains("archive/head.json"), "\(err)")
        try Self.expectCaught(dir, "unsigned: an unsigned manifest in a signed archive")
    }

    /// An unsigned day appended after the signed head's last day (made by a real run, its signature removed)
    /// was signed by `--adopt-unsigned`, which then printed "0 days": adoption covers only the days a head
    /// names, and such a day is refused by verify, by a plain run and by an adoption (helper-38).
    @Test func anUnsignedDayAfterTheSignedHeadIsNeverAdopted() throws {
        let dir = try Self.signedArchive(days: 1...3)
        defer { try? FileManager.default.removeItem(at: dir) }
        // The same archive with a signed day 4, whose copy without its signature is put after day 3.
        try Self.sh("cp -a archive other", in: dir)
        _ = try ArchiveTests.makeLive(dir, days: 4...4, perDay: 20, seed: 3)
        let (made, madeErr) = try ArchiveTests.run(
            ["archive", "--from", "live", "--to", "other", "--signing-key", "keys/auditpipe-signing.key", "-q"],
            in: dir)
        #expect(made == 0, "\(madeErr)")
        let manifest = "other/2026/11/04/manifest.json"
        let strip = #"s/,"signature":{[^}]*}//; s/,"supersedes_manifest_sha256":[^,}]*//"#
        try Self.sh("sed -i '\(strip)' \(manifest)", in: dir)
        try Self.sh("cp -a other/2026/11/04* archive/2026/11/ && mkdir -p empty", in: dir)
        let expected =
            "archive/2026/11/04/manifest.json: unsigned: an unsigned day after the signed head's last day (2026-11-03)"
        try Self.expectCaught(dir, expected)
        for extra in [[String](), ["--adopt-unsigned"]] {
            let before = try Self.sh("cat archive/head.json archive/2026/11/*/manifest.json | md5sum", in: dir)
            let (status, err) = try ArchiveTests.run(
                ["archive", "--from", "empty", "--to", "archive", "--signing-key", "keys/auditpipe-signing.key"]
                    + extra, in: dir)
            #expect(status == 4 && err.contains(expected), "\(extra): \(err)")
            #expect(try Self.sh("cat archive/head.json archive/2026/11/*/manifest.json | md5sum", in: dir) == before)
        }
        try Self.expectCaught(dir, expected)
    }

    @Test func signedPruningKilledAtEveryStepIsFinishedByTheNextRun() throws {
        let keep = Self.keepPrunesTheFirstTwoDays
        let base = try Self.signedArchive()
        defer { try? FileManager.default.removeItem(at: base) }
        for point in 1...8 {
            let dir = base.appendingPathComponent("crash-\(point)")
            #expect(try Self.sh("mkdir '\(dir.path)' && cp -a keys live archive '\(dir.path)/'", in: base).isEmpty)
            _ = try ArchiveTests.run(
                [
                    "archive", "--from", "live", "--to", "archive", "--signing-key", "keys/auditpipe-signing.key",
                    "--archive-retain", keep, "-q",
                ], in: dir, env: ["AUDITPIPE_CRASH_AT": "\(point)"])
            let (rerun, err) = try Self.archive(dir, ["--archive-retain", keep])
            #expect(rerun == 0, "point \(point): \(err)")
            let (verify, verr) = try Self.verify(dir, ["--through", "2026-11-04"])
            #expect(
                verify == 0 && verr.contains("verified 2 days, 100 events, chain intact (2 pruned days recorded)"),
                "point \(point): \(verr)")
        }
    }

    /// A head record named by hand (`--head-record`) is kept where it is named, and read there by the next run;
    /// a path whose directory is not there (a typo) is refused before the run changes anything.
    @Test func aHeadRecordNamedByHandIsKeptThereAndAMissingDirectoryIsRefused() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try ArchiveTests.run(["keys", "generate", "keys"], in: dir).0 == 0)
        _ = try ArchiveTests.makeLive(dir, days: 1...2, perDay: 20)
        var (status, err) = try Self.archive(dir, ["--head-record", "no-such-dir/archive.head"])
        #expect(status == 3 && err.contains("the head record's directory no-such-dir does not exist"), "\(err)")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/archive"))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/no-such-dir"))
        try Self.sh("mkdir heads", in: dir)
        (status, err) = try Self.archive(dir, ["--head-record", "heads/archive.head"])
        #expect(status == 0, "\(err)")
        #expect(try Self.sh("cmp heads/archive.head archive/head.json && echo same", in: dir) == "same")
        // The record named by hand is the one the next run compares with: an older head put back is refused.
        try Self.sh("cp archive/head.json old-head.json", in: dir)
        _ = try ArchiveTests.makeLive(dir, days: 3...3, perDay: 10, seed: 2)
        #expect(try Self.archive(dir, ["--head-record", "heads/archive.head"]).0 == 0)
        try Self.sh("rm -r archive/2026/11/03* && cp old-head.json archive/head.json", in: dir)
        _ = try ArchiveTests.makeLive(dir, days: 4...4, perDay: 10, seed: 3)
        (status, err) = try Self.archive(dir, ["--head-record", "heads/archive.head"])
        #expect(status == 4 && err.contains("archive/head.json: rolled back"), "\(err)")
    }
}
