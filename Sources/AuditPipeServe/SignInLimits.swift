/// How many failed sign-ins the screen takes before it refuses more for a while.
public struct SignInLimits: Sendable {
    /// Failed sign-ins for one user name within `window` before it is locked out.
    public var maxFailuresPerUser = 5
    /// Failed sign-ins from one client address within `window` before it is locked out (higher: an office
    /// behind one NAT address shares it).
    public var maxFailuresPerAddress = 20
    /// The window failures are counted in, seconds.
    public var windowSeconds: Int64 = 60
    /// The first lockout, seconds; each further lockout of the same key doubles it.
    public var lockoutSeconds: Int64 = 60
    /// The longest lockout, seconds.
    public var maxLockoutSeconds: Int64 = 3600
    /// Most keys remembered (names and addresses); the stalest are forgotten past it.
    public var maxTrackedKeys = 10_000

    /// The defaults.
    public init() {}
}
