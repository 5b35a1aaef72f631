/// The files a followed run's inputs read, oldest first, found by device and inode or by the fingerprint of
/// their first 256 bytes: what tells a rotated name or a copy of a file read from a new file. A file's
/// identities as its fingerprint grew, and again after a truncation: up to four whole ones and the latest
/// partial one, so a copy-truncate's copy is known by the head the file had when it was copied.
struct ReadFiles: Sendable {
    /// The most files kept (the oldest forgotten first).
    static let kept = 1024

    private var byKey: [FollowProgress.FileKey: [FileIdentity]] = [:]
    private var order: [FollowProgress.FileKey] = []
    /// Whole fingerprints (256 bytes) to the file that had that head.
    private var byHead: [UInt64: FollowProgress.FileKey] = [:]

    /// Notes `identity` (a newer identity of a file noted already is added to it).
    mutating func note(_ identity: FileIdentity) {
        let key = FollowProgress.FileKey(identity)
        let whole = identity.fingerprintLength == FileIdentity.fingerprintSpan
        if whole { byHead[identity.fingerprint] = key }
        guard var list = byKey[key] else {
            byKey[key] = [identity]
            order.append(key)
            if order.count > Self.kept { forget(order.count - Self.kept) }
            return
        }
        guard !list.contains(identity) else { return }
        list.removeAll { $0.fingerprintLength < FileIdentity.fingerprintSpan }
        list.append(identity)
        let wholes = list.filter { $0.fingerprintLength == FileIdentity.fingerprintSpan }
        if wholes.count > 4 {
            list.removeAll { $0 == wholes[0] }
            if byHead[wholes[0].fingerprint] == key { byHead[wholes[0].fingerprint] = nil }
        }
        byKey[key] = list
    }

    /// Every identity kept, oldest file first.
    var all: [FileIdentity] { order.flatMap { byKey[$0] ?? [] } }

    /// The identities kept of the file with this device and inode, oldest first.
    func identities(of key: FollowProgress.FileKey) -> [FileIdentity] { byKey[key] ?? [] }

    /// The file read whose first 256 bytes hash to `fingerprint`.
    func file(withHead fingerprint: UInt64) -> FileIdentity? {
        guard let key = byHead[fingerprint] else { return nil }
        return byKey[key]?.last { $0.fingerprint == fingerprint }
    }

    private mutating func forget(_ count: Int) {
        for k in order.prefix(count) {
            for id in byKey[k] ?? [] where byHead[id.fingerprint] == k { byHead[id.fingerprint] = nil }
            byKey[k] = nil
        }
        order.removeFirst(count)
    }
}
