import Synchronization

/// Where each followed input's cumulative offsets fall in real files: the segments its `FollowSource` went
/// through (a rotation or truncation starts a new one), so a committed offset can be saved as a file
/// identity and an offset in that file.
public final class FollowProgress: Sendable {
    /// A stretch of an input's stream read from one file.
    struct Segment: Sendable {
        var cumulativeStart: Int64
        var identity: FileIdentity?
        var fileOffset: Int64
    }

    private let segments = Mutex<[Int32: [Segment]]>([:])

    /// Creates an empty registry.
    public init() {}

    func startSegment(input: Int32, at cumulative: Int64, identity: FileIdentity?, fileOffset: Int64) {
        segments.withLock { s in
            var list = s[input] ?? []
            // The same file reopened where it was left (after giving its descriptor back): no new segment.
            if let last = list.last, let id = identity, last.identity?.device == id.device,
                last.identity?.inode == id.inode, last.cumulativeStart - last.fileOffset == cumulative - fileOffset
            {
                return
            }
            // Segments before the last committed point are not needed again; keep a few.
            if list.count > 8 { list.removeFirst(list.count - 8) }
            list.append(Segment(cumulativeStart: cumulative, identity: identity, fileOffset: fileOffset))
            s[input] = list
        }
    }

    /// Replaces the identity of `input`'s current segment (its fingerprint grew as the file did).
    func refine(input: Int32, identity: FileIdentity) {
        segments.withLock { s in
            guard var list = s[input], let last = list.last, last.identity?.inode == identity.inode else { return }
            list[list.count - 1].identity = identity
            s[input] = list
        }
    }

    /// The file and offset holding cumulative offset `position` of `input`.
    func locate(input: Int32, position: Int64) -> (identity: FileIdentity, offset: Int64)? {
        segments.withLock { s in
            guard let seg = s[input]?.last(where: { $0.cumulativeStart <= position }), let id = seg.identity else {
                return nil
            }
            return (id, seg.fileOffset + position - seg.cumulativeStart)
        }
    }
}
