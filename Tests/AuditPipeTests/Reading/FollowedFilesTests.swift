import Foundation
import Testing

@testable import AuditPipe

/// Which paths a followed run's patterns name, also while no file is there (a path renamed away by a rotation
/// is followed again at a restart only when the run still follows it).
struct FollowedFilesTests {
    @Test func patternsCoverTheirPathsWhetherOrNotAFileIsThere() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let logs = dir.appendingPathComponent("logs").path
        try FileManager.default.createDirectory(atPath: logs + "/sub", withIntermediateDirectories: true)
        let byDirectory = FollowedFiles(patterns: [logs])
        #expect(byDirectory.covers(logs + "/a.log") && byDirectory.covers(logs + "/sub/b.log"))
        #expect(!byDirectory.covers(logs + "-old/a.log") && !byDirectory.covers(dir.path + "/a.log"))
        let byGlob = FollowedFiles(patterns: [logs + "/a.log*"])
        #expect(byGlob.covers(logs + "/a.log") && byGlob.covers(logs + "/a.log.1"))
        #expect(!byGlob.covers(logs + "/b.log") && !byGlob.covers(logs + "/sub/a.log"))
        let byName = FollowedFiles(patterns: [logs + "/a.log"])
        #expect(byName.covers(logs + "/a.log") && !byName.covers(logs + "/a.log.1"))
    }
}
