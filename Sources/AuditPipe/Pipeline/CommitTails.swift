/// The bytes before each input's committed offset (`Checkpoint.Entry.tail`), read from its file once per point:
/// a commit rebuilds every input's entry, and 10,000 followed files would otherwise be read at each one. Used by
/// the correlate stage's commits alone, one at a time.
final class CommitTails: @unchecked Sendable {
    private var known: [String: (key: FollowProgress.FileKey, offset: Int64, tail: [UInt8])] = [:]

    /// Up to 64 bytes before `offset` in the file `identity` (the input's path or a rotated file beside it).
    /// With `mark`, nil when no file holds what the reader read last (see `FollowSource.bytes(before:in:path:mark:)`).
    func bytes(before offset: Int64, in identity: FileIdentity, path: String, mark: ReadMark?) -> [UInt8]? {
        let key = FollowProgress.FileKey(identity)
        if let k = known[path], k.key == key, k.offset == offset { return k.tail }
        guard let tail = FollowSource.bytes(before: offset, in: identity, path: path, mark: mark) else { return nil }
        known[path] = (key, offset, tail)
        return tail
    }
}
