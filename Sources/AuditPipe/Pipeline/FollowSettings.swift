/// How a pipeline follows its inputs (`tail -F`) and, with a checkpoint directory, how often it commits.
public struct FollowSettings: Sendable {
    /// Where the checkpoint lives; nil follows without one.
    public var checkpointDirectory: String?
    /// A commit at least this often (ns) while records flow (and one as soon as the first have).
    public var commitInterval: Int64 = 500_000_000
    /// A commit at least every this many bytes read.
    public var commitBytes: Int64 = 4 << 20

    /// Follows, committing into `checkpointDirectory` when one is given.
    public init(checkpointDirectory: String? = nil) {
        self.checkpointDirectory = checkpointDirectory
    }
}
