import AuditPipe
import Foundation
import Synchronization

/// Slows down password guessing: counts failed sign-ins per user name (trimmed and lowercased, so `Alice ` and
/// `alice` are one key) and per client address; past the limit within the window, that key is locked out for
/// a while that doubles with each further lockout, and sign-ins for it are refused (429) without checking
/// the password. A success clears its user name's failures, not its address's (else a guesser with one
/// account of their own could clear the address between guesses at others).
public final class SignInThrottle: Sendable {
    /// The answer for a sign-in attempt before its password is checked.
    public enum Verdict: Sendable, Equatable {
        /// Check the password.
        case allowed
        /// Refuse for this many more seconds (at least 1).
        case locked(retryAfter: Int64)
    }

    private struct Key: Hashable {
        var isAddress: Bool
        var value: String
    }

    private struct Record {
        /// Failure times (UTC ns) within the window, oldest first.
        var failures: [Int64] = []
        /// Locked out until then (UTC ns), or 0.
        var lockedUntil: Int64 = 0
        /// Lockouts so far (the next one lasts lockout × 2^lockouts).
        var lockouts = 0
        /// The last failure or lockout, for forgetting the stalest.
        var lastSeen: Int64 = 0
        /// Password checks begun and not yet counted (see `reserve`).
        var inflight = 0
    }

    /// The limits in force.
    public let limits: SignInLimits
    private let records = Mutex<[Key: Record]>([:])

    /// A throttle with `limits`.
    public init(limits: SignInLimits = SignInLimits()) {
        self.limits = limits
    }

    /// The key of a user name: what `Alice`, ` alice` and `ALICE` have in common.
    public static func normalized(_ user: String) -> String {
        String(user.trimmingCharacters(in: .whitespacesAndNewlines).lowercased().prefix(128))
    }

    /// Whether an attempt for `user` from `address` at `now` (UTC ns) may check its password.
    public func verdict(user: String, address: String, now: Int64) -> Verdict {
        let keys = [Key(isAddress: false, value: Self.normalized(user)), Key(isAddress: true, value: address)]
        let until = records.withLock { r in keys.compactMap { r[$0]?.lockedUntil }.max() ?? 0 }
        guard until > now else { return .allowed }
        return .locked(retryAfter: max(1, (until - now + UTCTime.second - 1) / UTCTime.second))
    }

    /// Like `verdict`, and when allowed counts the attempt at once as pending for its name and its address: the
    /// failures so far plus the checks still running may not pass the limits, so guesses sent all at once cannot
    /// all be checked before the first failure is counted. End it with `failed(…, reserved: true)` or
    /// `succeeded(user:address:)`.
    public func reserve(user: String, address: String, now: Int64) -> Verdict {
        let locked = verdict(user: user, address: address, now: now)
        guard case .allowed = locked else { return locked }
        let window = limits.windowSeconds * UTCTime.second
        let keys = [
            (Key(isAddress: false, value: Self.normalized(user)), limits.maxFailuresPerUser),
            (Key(isAddress: true, value: address), limits.maxFailuresPerAddress),
        ]
        return records.withLock { r in
            for (key, limit) in keys {
                guard let record = r[key] else { continue }
                let recent = record.failures.filter { $0 > now - window }.count
                if recent + record.inflight >= limit { return .locked(retryAfter: 1) }
            }
            for (key, _) in keys {
                var record = r[key] ?? Record()
                record.inflight += 1
                record.lastSeen = now
                r[key] = record
            }
            return .allowed
        }
    }

    /// Counts a failed sign-in (ending its reservation when `reserved`); returns the lockout it started, if any.
    @discardableResult
    public func failed(user: String, address: String, now: Int64, reserved: Bool = false) -> Verdict {
        let window = limits.windowSeconds * UTCTime.second
        let userKey = Key(isAddress: false, value: Self.normalized(user))
        let addressKey = Key(isAddress: true, value: address)
        return records.withLock { r in
            var verdict = Verdict.allowed
            for (key, limit) in [(userKey, limits.maxFailuresPerUser), (addressKey, limits.maxFailuresPerAddress)] {
                var record = r[key] ?? Record()
                if reserved { record.inflight = max(0, record.inflight - 1) }
                // A key quiet for the longest lockout after its last one starts over at the first lockout.
                if record.lockouts > 0, now - record.lockedUntil > limits.maxLockoutSeconds * UTCTime.second {
                    record.lockouts = 0
                }
                record.failures.removeAll { $0 <= now - window }
                record.failures.append(now)
                record.lastSeen = now
                if record.failures.count >= limit {
                    let doubled = limits.lockoutSeconds << min(record.lockouts, 20)
                    let seconds = min(doubled, limits.maxLockoutSeconds)
                    record.lockedUntil = max(record.lockedUntil, now + seconds * UTCTime.second)
                    record.lockouts += 1
                    record.failures = []
                    verdict = .locked(retryAfter: seconds)
                }
                r[key] = record
            }
            if r.count > limits.maxTrackedKeys { Self.forgetStalest(&r, keep: limits.maxTrackedKeys / 2, now: now) }
            return verdict
        }
    }

    /// Clears the failures and lockouts of `user` after a successful sign-in.
    public func succeeded(user: String) {
        _ = records.withLock { $0.removeValue(forKey: Key(isAddress: false, value: Self.normalized(user))) }
    }

    /// Ends a reserved attempt that succeeded: clears `user`'s failures and ends the address's pending check.
    public func succeeded(user: String, address: String) {
        records.withLock { r in
            r.removeValue(forKey: Key(isAddress: false, value: Self.normalized(user)))
            let key = Key(isAddress: true, value: address)
            if var record = r[key] {
                record.inflight = max(0, record.inflight - 1)
                r[key] = record
            }
        }
    }

    /// Drops keys that are not locked out, stalest first, down to `keep`; then the stalest of the rest.
    private static func forgetStalest(_ r: inout [Key: Record], keep: Int, now: Int64) {
        let order = r.sorted { a, b in
            let aLocked = a.value.lockedUntil > now
            let bLocked = b.value.lockedUntil > now
            return aLocked != bLocked ? !aLocked : a.value.lastSeen < b.value.lastSeen
        }
        for (key, _) in order.prefix(max(0, r.count - keep)) { r.removeValue(forKey: key) }
    }
}
