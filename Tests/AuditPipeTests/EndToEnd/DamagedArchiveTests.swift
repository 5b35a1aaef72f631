import Foundation
import Testing

/// A damaged archive as a new user meets it (a new-user trial of archive, verify and index): `index` refuses
/// every day `verify` fails, with verify's exit code (4) and reason, and leaves the index as it was; a manifest
/// count that is not a JSON integer, a key written twice, or an edited size, is named as the manifest's fault.
struct DamagedArchiveTests {
    static let day3 = "archive/2026/11/03"
    static let gz3 = "archive/2026/11/03/events-2026-11-03.jsonl.gz"

    /// Archives three days of 100 events in `dir` (the index built with them) and checks they verify.
    static func archive(in dir: URL) throws {
        _ = try ArchiveTests.makeLive(dir, days: 1...3, perDay: 100)
        #expect(try ArchiveTests.run(["archive", "--from", "live", "--to", "archive", "-q"], in: dir).0 == 0)
        #expect(try ArchiveTests.run(["verify", "archive"], in: dir).0 == 0)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("archive/index.sqlite").path))
    }

    /// `verify`'s status and the failure it names (`PATH: reason`).
    static func verify(in dir: URL) throws -> (Int32, String) {
        let (status, err) = try ArchiveTests.run(["verify", "archive"], in: dir)
        let prefix = "auditpipe: verify failed: "
        let line = err.split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
        return (status, line ?? err)
    }

    /// Checks `index` (with `arguments`) refuses the archive as `verify` does, and leaves the index as it was.
    static func expectIndexRefuses(in dir: URL, _ arguments: [String], failure: String, _ what: String) throws {
        let index = dir.appendingPathComponent("archive/index.sqlite")
        let before = try Data(contentsOf: index)
        let (status, err) = try ArchiveTests.run(["index", "archive"] + arguments, in: dir)
        #expect(status == 4, "\(what): index \(arguments) exited \(status): \(err)")
        #expect(err.contains(failure), "\(what): index \(arguments) said \(err), verify said \(failure)")
        #expect(try Data(contentsOf: index) == before, "\(what): the index changed")
        #expect(!FileManager.default.fileExists(atPath: index.path + ".tmp"), "\(what)")
    }

    @Test(arguments: [
        (
            "flip a byte",
            "printf '\\x00' | dd of=\(gz3) bs=1 seek=40 conv=notrunc status=none",
            "\(gz3): edited: the SHA-256 of the gzip file does not match the manifest, and it does not inflate"
        ),
        ("truncate", "truncate -s -10 \(gz3)", "\(gz3): truncated"),
        (
            "edit the manifest's count", "sed -i 's/\"events\":100/\"events\":101/' \(day3)/manifest.json",
            "\(day3)/manifest.json: edited: events is 101 but events-2026-11-03.jsonl.gz holds 100"
        ),
        (
            "edit the manifest's gzip hash",
            "sed -i -E 's/\"gzip_sha256\":\"[0-9a-f]{8}/\"gzip_sha256\":\"00000000/' \(day3)/manifest.json",
            "\(gz3): edited: SHA-256 of the gzip file does not match the manifest"
        ),
    ])
    func indexOfADamagedArchiveExitsFourWithVerifysReason(what: String, script: String, expected: String) throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.archive(in: dir)
        #expect(try ArchiveTests.shell(script, in: dir).0 == 0)
        let (status, failure) = try Self.verify(in: dir)
        #expect(status == 4 && failure.hasPrefix(expected), "\(what): \(failure)")
        try Self.expectIndexRefuses(in: dir, ["--rebuild"], failure: failure, what)
    }

    @Test(arguments: [
        ("events", "\"100\"", "events is the string \"100\", not a JSON integer"),
        ("events", "100.0", "events is 100.0, not an integer"),
        ("events", "1e2", "events is 1e2, not an integer"),
        ("events", "-100", "events is -100, a negative number"),
        ("compressed_bytes", "\"&\"", "compressed_bytes is the string"),
        ("uncompressed_bytes", "-&", "uncompressed_bytes is -"),
        ("schema_version", "\"1\"", "schema_version is the string \"1\", not a JSON integer"),
    ])
    func aManifestCountThatIsNotAJSONIntegerFailsVerification(field: String, value: String, expected: String) throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.archive(in: dir)
        // The last day, so no later manifest's chain link notices the edit. `&` is the number written.
        let path = dir.appendingPathComponent("\(Self.day3)/manifest.json")
        let before = try Data(contentsOf: path)
        let replacement = value.replacingOccurrences(of: "&", with: "\\1")
        let sed = "sed -i -E 's/\"\(field)\":([0-9]+)/\"\(field)\":\(replacement)/'"
        #expect(try ArchiveTests.shell("\(sed) \(Self.day3)/manifest.json", in: dir).0 == 0)
        #expect(try Data(contentsOf: path) != before, "\(field) \(value): the manifest was not edited")
        let (status, failure) = try Self.verify(in: dir)
        #expect(status == 4, "\(field) \(value): verify passed")
        #expect(
            failure.hasPrefix("\(Self.day3)/manifest.json: edited: not a valid manifest: \(expected)"),
            "\(field) \(value): \(failure)")
        try Self.expectIndexRefuses(in: dir, ["--rebuild"], failure: failure, "\(field) \(value)")
    }

    /// A key written twice: auditpipe's parser kept the first value and verified the day, jq keeps the last, so
    /// the two read different manifests. The manifest is refused, naming the key, even when both values agree.
    @Test(arguments: [
        (#","events":101}"#, "events"),
        (#","day":"2026-11-09"}"#, "day"),
        (#","previous_manifest_sha256":null}"#, "previous_manifest_sha256"),
        (#","events":100}"#, "events"),
    ])
    func aManifestWithADuplicateKeyFailsVerification(appended: String, key: String) throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.archive(in: dir)
        // The last day, so no later manifest's chain link notices the edit.
        let path = dir.appendingPathComponent("\(Self.day3)/manifest.json")
        var text = try String(contentsOf: path, encoding: .utf8)
        #expect(text.hasSuffix("}\n"))
        text = String(text.dropLast(2)) + appended + "\n"
        try text.write(to: path, atomically: false, encoding: .utf8)
        let (status, failure) = try Self.verify(in: dir)
        #expect(status == 4, "\(appended): verify passed")
        #expect(
            failure.hasPrefix("\(Self.day3)/manifest.json: edited: not a valid manifest: duplicate key \"\(key)\""),
            "\(appended): \(failure)")
        try Self.expectIndexRefuses(in: dir, ["--rebuild"], failure: failure, appended)
    }

    /// From a new-user trial: a second JSON document, or any bytes, after the manifest's object passed verify
    /// (jq reads both documents, or refuses the file).
    @Test(arguments: [#"{"events":999}"#, "x", "]"])
    func bytesAfterTheManifestsObjectFailVerification(appended: String) throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.archive(in: dir)
        let path = dir.appendingPathComponent("\(Self.day3)/manifest.json")
        let text = try String(contentsOf: path, encoding: .utf8)
        try (text + appended + "\n").write(to: path, atomically: false, encoding: .utf8)
        let (status, failure) = try Self.verify(in: dir)
        #expect(status == 4, "\(appended): verify passed")
        #expect(
            failure.hasPrefix("\(Self.day3)/manifest.json: edited: not a valid manifest: bytes after the JSON object"),
            "\(appended): \(failure)")
    }

    @Test(arguments: [#"{"hello":1}"#, "not json"])
    func aLineThatIsNotAnEventIsRefusedByIndexAsByVerify(line: String) throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.archive(in: dir)
        // The line appended, the gzip file made again and every hash, size and count in the manifest made to
        // match: only the line check can tell.
        let script = """
            set -e
            d=\(Self.day3); f=\(Self.gz3)
            zcat $f > content; printf '%s\\n' '\(line)' >> content; gzip -c content > $f
            sed -i -E "s/\\"events\\":[0-9]+/\\"events\\":$(grep -c . content)/; \
            s/\\"uncompressed_bytes\\":[0-9]+/\\"uncompressed_bytes\\":$(stat -c %s content)/; \
            s/\\"compressed_bytes\\":[0-9]+/\\"compressed_bytes\\":$(stat -c %s $f)/; \
            s/\\"gzip_sha256\\":\\"[0-9a-f]+\\"/\\"gzip_sha256\\":\\"$(sha256sum < $f | cut -c1-64)\\"/; \
            s/\\"content_sha256\\":\\"[0-9a-f]+\\"/\\"content_sha256\\":\\"$(sha256sum < content | cut -c1-64)\\"/" $d/manifest.json
            """
        let (rc, out) = try ArchiveTests.shell(script, in: dir)
        #expect(rc == 0, "\(out)")
        let (status, failure) = try Self.verify(in: dir)
        #expect(status == 4 && failure == "\(Self.gz3): line 101 is not an audit event", "\(failure)")
        // A rebuild, and an update (the day's gzip file changed, so it is indexed again).
        try Self.expectIndexRefuses(in: dir, ["--rebuild"], failure: failure, line)
        try Self.expectIndexRefuses(in: dir, [], failure: failure, line)
    }

    /// A query that meets a damaged day fails (exit 3) and leaves no partial export: the file it was asked to
    /// write is not made, or an older one stays as it was (helper-37: the first two days' events were left in
    /// the file, which read as a complete answer).
    @Test func aQueryThatMeetsADamagedDayLeavesNoPartialExport() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.archive(in: dir)
        #expect(try ArchiveTests.shell("truncate -s -10 \(Self.gz3)", in: dir).0 == 0)
        for format in ["jsonl", "csv", "xlsx"] {
            let out = "out.\(format)"
            for existing in [false, true] {
                if existing { try Data("older export\n".utf8).write(to: dir.appendingPathComponent(out)) }
                let (status, err) = try ArchiveTests.run(
                    ["query", "archive", "--all", "--scan", "--output-format", format, "-o", out], in: dir)
                #expect(status == 3 && err.contains("events-2026-11-03.jsonl.gz: damaged archive"), "\(format): \(err)")
                let left = try ArchiveTests.shell("ls", in: dir).1.split(separator: "\n").map(String.init)
                #expect(!left.contains { $0.hasPrefix("\(out).partial") }, "\(format): \(left)")
                if existing {
                    let kept = try String(contentsOf: dir.appendingPathComponent(out), encoding: .utf8)
                    #expect(kept == "older export\n", "\(format)")
                } else {
                    #expect(!left.contains(out), "\(format): a partial \(out) was left")
                }
            }
        }
        // A query that succeeds still writes its file, and /dev/null is written in place, not renamed over.
        #expect(try ArchiveTests.shell("rm -rf \(Self.day3)", in: dir).0 == 0)
        let (ok, okErr) = try ArchiveTests.run(["query", "archive", "--all", "--scan", "-o", "out.jsonl"], in: dir)
        #expect(ok == 0 && ArchiveTests.lines(dir.appendingPathComponent("out.jsonl")).count == 200, "\(okErr)")
        #expect(try ArchiveTests.run(["query", "archive", "--all", "--scan", "-o", "/dev/null"], in: dir).0 == 0)
        #expect(try ArchiveTests.shell("test -c /dev/null", in: dir).0 == 0)
    }

    /// A day's gzip file inflated and compressed again holds the signed content but is not the signed file:
    /// verify names it as recompressed, not as truncated or as extra bytes (helper-37).
    @Test func aRecompressedDayIsNamedAsRecompressed() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.archive(in: dir)
        for level in ["-1", "-9"] {
            let script = "zcat \(Self.gz3) | gzip \(level) -n > x.gz && cat x.gz > \(Self.gz3) && stat -c %s x.gz"
            let (status, size) = try ArchiveTests.shell(script, in: dir)
            #expect(status == 0)
            let (v, failure) = try Self.verify(in: dir)
            #expect(v == 4)
            #expect(
                failure.hasPrefix(
                    "\(Self.gz3): recompressed: the file holds the manifest's content but is not the gzip file it names (\(size.trimmingCharacters(in: .whitespacesAndNewlines)) bytes"
                ), "\(failure)")
        }
        // A cut file is still truncated.
        #expect(try ArchiveTests.shell("head -c 100 x.gz > \(Self.gz3)", in: dir).0 == 0)
        #expect(try Self.verify(in: dir).1.hasPrefix("\(Self.gz3): truncated: 100 bytes"))
    }

    /// Rows deleted from the index by hand went missing from every `query` answer, exit 0 (helper-38): an
    /// index whose rows for a day are not as many as the day's manifest states events is not current, and
    /// query reads the day files (and says so).
    @Test func rowsDeletedFromTheIndexDoNotGoMissingFromQuery() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.archive(in: dir)
        #expect(try ArchiveTests.run(["query", "archive", "--all", "-o", "before.jsonl"], in: dir).0 == 0)
        let before = ArchiveTests.lines(dir.appendingPathComponent("before.jsonl"))
        #expect(before.count == 300)
        let delete = """
            import sqlite3
            c = sqlite3.connect("archive/index.sqlite")
            c.execute("DELETE FROM events WHERE id IN (SELECT id FROM events WHERE day = '2026-11-02' LIMIT 5)")
            c.commit()
            print(c.total_changes)
            """
        try Data(delete.utf8).write(to: dir.appendingPathComponent("delete.py"))
        let (py, changed) = try ArchiveTests.shell("python3 delete.py", in: dir)
        #expect(py == 0 && !changed.hasPrefix("0"), "\(changed)")
        let (status, err) = try ArchiveTests.run(["query", "archive", "--all", "-o", "after.jsonl"], in: dir)
        #expect(status == 0, "\(err)")
        #expect(err.contains("index.sqlite is not current"), "\(err)")
        #expect(ArchiveTests.lines(dir.appendingPathComponent("after.jsonl")) == before)
        #expect(try Self.verify(in: dir).0 == 4)
    }

    @Test func anEditedCompressedBytesIsBlamedOnTheManifest() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.archive(in: dir)
        let gz = dir.appendingPathComponent(Self.gz3).path
        let size = try FileManager.default.attributesOfItem(atPath: gz)[.size] as! Int
        for edited in [size + 7, size - 7] {
            let sed = "sed -i -E 's/\"compressed_bytes\":[0-9]+/\"compressed_bytes\":\(edited)/'"
            #expect(try ArchiveTests.shell("\(sed) \(Self.day3)/manifest.json", in: dir).0 == 0)
            let (status, failure) = try Self.verify(in: dir)
            #expect(status == 4)
            #expect(
                failure
                    == "\(Self.day3)/manifest.json: edited: compressed_bytes is \(edited) but events-2026-11-03.jsonl.gz is \(size) bytes; the file's SHA-256 is the one the manifest states, so the manifest's size was edited, not the file",
                "\(failure)")
            try Self.expectIndexRefuses(in: dir, ["--rebuild"], failure: failure, "compressed_bytes \(edited)")
        }
        // The file itself cut short is still the file's fault.
        #expect(
            try ArchiveTests.shell(
                "sed -i -E 's/\"compressed_bytes\":[0-9]+/\"compressed_bytes\":\(size)/' \(Self.day3)/manifest.json && truncate -s -10 \(Self.gz3)",
                in: dir
            ).0 == 0)
        let (_, failure) = try Self.verify(in: dir)
        #expect(failure == "\(Self.gz3): truncated: \(size - 10) bytes, the manifest says \(size)", "\(failure)")
    }
}
