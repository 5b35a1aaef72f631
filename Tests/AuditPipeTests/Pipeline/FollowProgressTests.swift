import Testing

@testable import AuditPipe

/// Where a followed input's committed offset falls among the files its reader went through.
struct FollowProgressTests {
    /// From a new-user trial (a stopped follower, then 16 rotated files read in one go): a commit whose point is
    /// still in the file read before many others is located there. Before, only the last 8 files were kept; the
    /// commit found none, kept the input's old offset while the outputs advanced, and the restart read it all
    /// again (752 events twice).
    @Test(arguments: [3, 9, 40])
    func aCommitBehindManyFilesIsLocatedInItsFile(files: Int) {
        let progress = FollowProgress()
        let id = { (n: Int) in
            FileIdentity(device: 1, inode: UInt64(100 + n), fingerprint: UInt64(n), fingerprintLength: 256)
        }
        progress.startSegment(input: 0, at: 0, identity: id(0), fileOffset: 500)
        for n in 1...files { progress.startSegment(input: 0, at: Int64(n * 1000), identity: id(n), fileOffset: 0) }
        let located = progress.locate(input: 0, position: 700)
        #expect(located?.identity == id(0))
        #expect(located?.offset == 1200)
        #expect(located?.later == (1...files).map(id))
        // Commits move on: the next, in a later file, is located there, with the files after it.
        let next = progress.locate(input: 0, position: Int64(2500))
        #expect(next?.identity == id(2))
        #expect(next?.offset == 500)
        #expect(next?.later.count == files - 2)
    }
}
