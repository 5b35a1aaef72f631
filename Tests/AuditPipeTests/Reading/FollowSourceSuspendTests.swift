import Foundation
import Testing

@testable import AuditPipe

#if canImport(Glibc)
    import Glibc
#endif

/// A followed file that gave its descriptor back while quiet is reopened by path, identity and offset: it
/// reads on where it was, also after a rename rotation or a copy-truncate that happened meanwhile.
struct FollowSourceSuspendTests {
    static func append(_ text: String, to path: String) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        _ = text.withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }

    /// Reads everything there is now.
    /// Reads `source` until it would block, going on to the path's new file as soon as a renamed one is read to
    /// its end (these tests are of which file comes after which; `FollowRotatedNamesTests` has the wait).
    static func drain(_ source: inout FollowSource) throws -> String {
        source.rotateWait = 0
        var bytes: [UInt8] = []
        // Bounded: a reader that reads the same bytes over and over fails its test instead of hanging it.
        var reads = 0
        while !source.wouldBlock() && reads < 10_000 {
            _ = try source.read(into: &bytes, max: 4096)
            reads += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func source(_ path: String) -> FollowSource {
        FollowSource(
            path: path, input: 0, pending: [], cumulative: 0, control: RunControl(), progress: FollowProgress())
    }

    @Test func aQuietFileIsReopenedOnlyWhenItGrowsAndReadsOnWhereItWas() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        Self.append("first line\n", to: path)
        var source = Self.source(path)
        #expect(try Self.drain(&source) == "first line\n")
        let suspended = source.suspend()
        #expect(suspended && source.isSuspended)
        let newsBefore = source.mayHaveNews()
        #expect(!newsBefore)
        Self.append("second line\n", to: path)
        let newsAfter = source.mayHaveNews()
        #expect(newsAfter)
        #expect(try Self.drain(&source) == "second line\n")
        #expect(!source.isSuspended)
    }

    @Test func aFileRotatedByRenameWhileClosedIsReadToItsEndThenTheNewFile() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        Self.append("old 1\n", to: path)
        var source = Self.source(path)
        #expect(try Self.drain(&source) == "old 1\n")
        let suspended = source.suspend()
        #expect(suspended)
        Self.append("old 2\n", to: path)
        rename(path, path + ".1")
        Self.append("new 1\n", to: path)
        let news = source.mayHaveNews()
        #expect(news)
        #expect(try Self.drain(&source) == "old 2\nnew 1\n")
    }

    @Test func aFileCopyTruncatedWhileClosedIsReadOnFromTheCopyThenFromItsStart() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        Self.append("a rather long first line\n", to: path)
        var source = Self.source(path)
        #expect(try Self.drain(&source) == "a rather long first line\n")
        let suspended = source.suspend()
        #expect(suspended)
        Self.append("second\n", to: path)
        try FileManager.default.copyItem(atPath: path, toPath: path + ".1")
        truncate(path, 0)
        Self.append("third\n", to: path)
        let news = source.mayHaveNews()
        #expect(news)
        #expect(try Self.drain(&source) == "second\nthird\n")
    }
}
