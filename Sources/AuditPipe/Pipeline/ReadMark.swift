/// The last bytes a reader read of a file and the offset they end at: a file that still holds them there is the
/// one that was read, up to that offset (a copy-truncate that wrote it again since leaves other bytes there, even
/// when every generation starts alike).
struct ReadMark: Sendable, Equatable {
    /// Where the bytes end in the file.
    var offset: Int64
    /// Up to `FollowSource.tailSpan` bytes before `offset`.
    var bytes: [UInt8]
}
