import Foundation
import Testing

@testable import AuditPipe

/// The files a follower has read, and how a new path is told to be one of them (a rotated name, a copy) or a
/// new file.
struct ReadFilesTests {
    func identity(inode: UInt64, head: UInt64, whole: Bool = true) -> FileIdentity {
        FileIdentity(
            device: 1, inode: inode, fingerprint: head, fingerprintLength: whole ? FileIdentity.fingerprintSpan : 100)
    }

    /// A file copy-truncated five times keeps its last four heads: a copy made at any of those rotations is
    /// still known, the oldest is forgotten, and a partial identity is replaced by the next one.
    @Test func aFileKeepsItsLastFourHeads() {
        var r = ReadFiles()
        r.note(identity(inode: 7, head: 1, whole: false))
        for head in UInt64(10)...UInt64(14) { r.note(identity(inode: 7, head: head)) }
        #expect(r.identities(of: FollowProgress.FileKey(device: 1, inode: 7)).map(\.fingerprint) == [11, 12, 13, 14])
        #expect(r.file(withHead: 10) == nil)
        #expect(r.file(withHead: 11)?.inode == 7)
        #expect(r.all.count == 4)
    }

    /// Past `kept` files the oldest is forgotten, with its head.
    @Test func theOldestFileIsForgottenWithItsHead() {
        var r = ReadFiles()
        for i in 0...UInt64(ReadFiles.kept) { r.note(identity(inode: 100 + i, head: 5_000 + i)) }
        #expect(r.file(withHead: 5_000) == nil)
        #expect(r.file(withHead: 5_001)?.inode == 101)
        #expect(r.identities(of: FollowProgress.FileKey(device: 1, inode: 100)).isEmpty)
        #expect(r.all.count == ReadFiles.kept)
    }

    @Test func rotatedNamesOfAFollowedPath() {
        let followed: Set<String> = ["logs/app.log", "web.log"]
        for name in ["logs/app.log.1", "logs/app.log-20261205", "logs/app.log-2026-12-05_1", "web.log.12"] {
            #expect(RotatedName.isRotated(name, of: followed), "\(name)")
        }
        for name in [
            "logs/app.logx", "logs/b.log", "other/app.log.1", "logs/app.log", "app.log.1", "logs/",
            "logs/app.log-worker",
            "logs/app.log.1.gz", "logs/app.log.", "web.log-١",
        ] {
            #expect(!RotatedName.isRotated(name, of: followed), "\(name)")
        }
    }

    /// A small file just written under a rotated name waits a look (it may be a copy being filled); a new file
    /// of another name, or one that is whole, is followed at once.
    @Test func onlyASmallFreshRotatedNameWaits() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = dir.path + "/app.log"
        let small = Data("{\"msg\":\"a\"}\n".utf8)
        try small.write(to: URL(fileURLWithPath: base + ".1"))
        try small.write(to: URL(fileURLWithPath: dir.path + "/other.log"))
        try Data(repeating: UInt8(ascii: "x"), count: 300).write(to: URL(fileURLWithPath: base + ".2"))
        let followed: Set<String> = [base]
        func waits(_ path: String) throws -> Bool {
            let found = try #require(FileIdentity.of(path: path))
            return FollowedFiles.settling(found, at: path, besides: followed)
        }
        #expect(try waits(base + ".1"))
        #expect(try !waits(dir.path + "/other.log"))
        #expect(try !waits(base + ".2"))
    }
}
