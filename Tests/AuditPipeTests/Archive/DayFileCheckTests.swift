import Foundation
import Testing

@testable import AuditPipe

/// A day's manifest is read, decoded and checked for its day in one place (`DayFileCheck.manifest`): the day
/// check `verify` and `index` run and the manifest chain walk (all `archive` reads before it chains) refuse a
/// missing, invalid or misplaced manifest with the same failure.
struct DayFileCheckTests {
    static let day = "2026-11-02"

    /// A manifest as auditpipe writes it, for `day`.
    static func manifest(day: String) -> ArchiveManifest {
        ArchiveManifest(
            day: day, events: 0, firstStart: nil, lastStart: nil, compressedBytes: 0, uncompressedBytes: 0,
            gzipSHA256: String(repeating: "0", count: 64), contentSHA256: String(repeating: "0", count: 64),
            toolVersion: "auditpipe test", previousManifestSHA256: nil)
    }

    /// An archive root whose only day, 2026-11-02, has `manifest` as its manifest file (none when nil).
    static func root(manifest: [UInt8]?) throws -> String {
        let root = try AuditPipeBinary.temporaryDirectory().path
        ArchiveLayout.makeDirectories(ArchiveLayout.dayDirectory(root, day: day))
        if let manifest {
            try Data(manifest).write(to: URL(fileURLWithPath: ArchiveLayout.manifestFile(root, day: day)))
        }
        return root
    }

    @Test(arguments: [
        (nil, "missing: the day has no manifest"),
        (Array(#"{"hello":1}"#.utf8), "edited: not a valid manifest: schema_version is missing"),
        (
            Array(#"{"schema_version":1,"schema_version":1}"#.utf8),
            #"edited: not a valid manifest: duplicate key "schema_version" (readers that keep the first value and readers that keep the last disagree)"#
        ),
        (manifest(day: "2026-11-03").bytes, "reordered: the manifest is for 2026-11-03 but lies under 2026-11-02"),
    ])
    func aBadManifestIsRefusedAlikeByTheDayCheckAndTheChainWalk(bytes: [UInt8]?, reason: String) throws {
        let root = try Self.root(manifest: bytes)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let expected = ArchiveVerifier.Failure(path: ArchiveLayout.manifestFile(root, day: Self.day), reason: reason)
        guard case .failure(let read) = DayFileCheck.manifest(root: root, day: Self.day) else {
            Issue.record("\(reason): the manifest was accepted")
            return
        }
        #expect(read == expected)
        guard case .failure(let opened) = DayFileCheck.open(root: root, day: Self.day) else {
            Issue.record("\(reason): the day check passed")
            return
        }
        #expect(opened == expected)
        let walked = ArchiveVerifier.verify(root: root, signatures: nil, contents: false, finishing: false)
        guard case .failure(let chain) = walked else {
            Issue.record("\(reason): the chain walk passed")
            return
        }
        #expect(chain == expected)
    }

    @Test func aValidManifestIsReadWithTheBytesItWasDecodedFrom() throws {
        let written = Self.manifest(day: Self.day)
        let root = try Self.root(manifest: written.bytes)
        defer { try? FileManager.default.removeItem(atPath: root) }
        guard case .success(let read) = DayFileCheck.manifest(root: root, day: Self.day) else {
            Issue.record("a valid manifest was refused")
            return
        }
        #expect(read.manifest == written)
        #expect(read.bytes == written.bytes)
    }
}
