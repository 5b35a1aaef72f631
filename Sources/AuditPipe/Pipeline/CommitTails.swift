/// The bytes before each input's committed offset (`Checkpoint.Entry.tail`), read from its file once per point:
/// a commit rebuilds every input's entry, and 10,000 followed files would otherwise be read at each one. Used by
/// the correlate stage's commits alone, one at a time.
final class CommitTails: @unchecked Sendable {
    private var known: [String: (key: FollowProgress.FileKey, offset: Int64, tail: [UInt8])] = [:]

    /// Up to 64 bytes before `offset` in the file `identity` (the input's path or a rotated file beside it).
    func bytes(before offset: Int64, in identity: FileIdentity, path: String) -> [UInt8] {
        let key = FollowProgress.FileKey(identity)
        if let k = known[path], k.key == key, k.offset == offset { return k.tail }
        let tail = FollowSource.bytes(before: offset, in: identity, path: path)
        known[path] = (key, offset, tail)
        return tail
    }
}
