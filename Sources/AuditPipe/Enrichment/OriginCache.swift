import Synchronization

/// The last origins `OriginClassifier` gave for user agents, so a user agent seen again (a client's every
/// request) is not searched for needles again (~1,900 instructions an event). Direct-mapped, 64 slots, by a
/// cheap mix of the agent's length and first, middle and last bytes; a slot holds the agent itself and is used only
/// when it is equal. Agents over `maxLength` bytes are not kept (64 slots of any length could hold 64 MiB of
/// crafted agents). Shared by an enricher's copies, so behind a lock.
final class OriginCache: Sendable {
    private static let slots = 64
    /// The longest agent kept.
    static let maxLength = 512
    private let state = Mutex<[(agent: String, origin: String?)?]>(Array(repeating: nil, count: OriginCache.slots))

    /// `OriginClassifier.classify(userAgent:user:)`, remembered by user agent (the user matters only without one).
    func origin(userAgent: String?, user: String?) -> String? {
        guard let agent = userAgent, !agent.isEmpty, agent.utf8.count <= Self.maxLength else {
            return OriginClassifier.classify(userAgent: userAgent, user: user)
        }
        let slot = agent.withUTF8Bytes { b -> Int in
            var h = UInt64(b.count) &* 0x9E37_79B9_7F4A_7C15
            h ^= UInt64(b[0]) << 8 | UInt64(b[b.count - 1]) | UInt64(b[b.count / 2]) << 16
            h = (h ^ (h >> 29)) &* 0xBF58_476D_1CE4_E5B9
            return Int(truncatingIfNeeded: h >> 58)
        }
        if let hit = state.withLock({ $0[slot] }), hit.agent == agent { return hit.origin }
        let origin = OriginClassifier.classify(userAgent: agent, user: user)
        state.withLock { $0[slot] = (agent, origin) }
        return origin
    }
}
