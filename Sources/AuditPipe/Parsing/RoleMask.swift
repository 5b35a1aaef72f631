/// A set of field roles (ranks aside): the ones a lean parse reads (`ExtrasGate`); the others' values are
/// validated and skipped.
struct RoleMask: Sendable, Equatable {
    let bits: UInt32

    /// Every role: a whole parse.
    static let all = RoleMask(bits: .max)

    init(bits: UInt32) { self.bits = bits }

    /// The set of `roles`.
    init(_ roles: [FieldRole]) { bits = roles.reduce(0) { $0 | $1.maskBit } }

    /// True when every role is in the set.
    var isAll: Bool { bits == .max }

    /// True when `role` is in the set.
    @inline(__always)
    func contains(_ role: FieldRole) -> Bool { bits & role.maskBit != 0 }

    /// The set with the roles of `other` too.
    func union(_ other: RoleMask) -> RoleMask { RoleMask(bits: bits | other.bits) }
}

extension FieldRole {
    /// This role's bit in a `RoleMask` (whatever its rank).
    var maskBit: UInt32 {
        switch self {
        case .time: 1 << 0
        case .level: 1 << 1
        case .message: 1 << 2
        case .service: 1 << 3
        case .requestID: 1 << 4
        case .traceparent: 1 << 5
        case .user: 1 << 6
        case .userID: 1 << 7
        case .ip: 1 << 8
        case .userAgent: 1 << 9
        case .method: 1 << 10
        case .path: 1 << 11
        case .url: 1 << 12
        case .query: 1 << 13
        case .status: 1 << 14
        case .headers: 1 << 15
        case .body: 1 << 16
        case .route: 1 << 17
        case .stage: 1 << 18
        case .requestLine: 1 << 19
        case .entityType: 1 << 20
        case .entityID: 1 << 21
        case .action: 1 << 22
        case .errorCode: 1 << 23
        case .errorMessage: 1 << 24
        case .container: 1 << 25
        }
    }
}
