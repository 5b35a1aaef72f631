import AuditPipe
import AuditPipeServe
import Foundation
import Synchronization
import Testing

/// Password guessing through the HTTP API is slowed down: too many failures for one name (whatever its case
/// and spaces) or from one address answer 429 with Retry-After, lockouts grow, a success clears the name,
/// and every failure is in the screen's audit log. The screen's clock is the test's: no sleeps.
@Suite(.serialized)
struct SignInThrottleTests {
    let f: ScreenFixture
    init() throws { f = try ScreenFixture.get() }

    /// A clock the test moves, UTC ns.
    final class Clock: Sendable {
        let nanoseconds = Atomic<Int64>(1_795_600_000 * UTCTime.second)
        func advance(seconds: Int64) { nanoseconds.add(seconds * UTCTime.second, ordering: .relaxed) }
    }

    /// The fixture's archive served on its own port, with its own throttle, clock and audit log.
    final class Screen: Sendable {
        let clock = Clock()
        let server: ScreenServer
        let directory: URL

        init(_ f: ScreenFixture, limits: SignInLimits = SignInLimits()) throws {
            directory = try ServeBinary.temporaryDirectory()
            let clock = clock
            let router = ScreenRouter(
                catalog: ScreenCatalogs.open([f.archive]), authenticator: try Authenticator(usersFile: f.usersFile),
                auditLog: try AccessAuditLog(directory: directory.appendingPathComponent("live").path),
                throttle: SignInThrottle(limits: limits), now: { clock.nanoseconds.load(ordering: .relaxed) })
            server = try ScreenServer(router: router, host: "127.0.0.1", port: 0)
            let s = server
            Thread.detachNewThread { s.run() }
        }

        deinit {
            server.stop()
            try? FileManager.default.removeItem(at: directory)
        }

        func get(_ user: String, _ password: String) throws -> HTTPTestClient.Response {
            try HTTPTestClient.get(server.port, "/api/me", user: user, password: password)
        }

        /// The sign-in events of the screen's audit log.
        func signInEvents() throws -> [[String: Any]] {
            let live = directory.appendingPathComponent("live")
            var out: [[String: Any]] = []
            for name in (try? FileManager.default.contentsOfDirectory(atPath: live.path)) ?? []
            where name.hasSuffix(".jsonl") {
                for line in try Data(contentsOf: live.appendingPathComponent(name)).split(separator: 10) {
                    let event = try JSONSerialization.jsonObject(with: Data(line)) as! [String: Any]
                    if event["action"] as? String == "sign-in" { out.append(event) }
                }
            }
            return out
        }
    }

    let user = ScreenFixture.auditor.0
    let password = ScreenFixture.auditor.1

    @Test func theFifthFailureForANameLocksItOutWith429AndRetryAfter() throws {
        let screen = try Screen(f)
        for _ in 0..<4 { #expect(try screen.get(user, "wrong password").status == 401) }
        let fifth = try screen.get(user, "wrong password")
        #expect(fifth.status == 429)
        #expect(fifth.headers["retry-after"] == "60")
        let refused = try screen.get(user, password)
        #expect(refused.status == 429, "the right password is not even checked while locked out")
        screen.clock.advance(seconds: 30)
        #expect(try screen.get(user, password).headers["retry-after"] == "30")
        screen.clock.advance(seconds: 31)
        #expect(try screen.get(user, password).status == 200)
    }

    @Test func eachFurtherLockoutLastsTwiceAsLong() throws {
        let screen = try Screen(f)
        for _ in 0..<5 { _ = try screen.get(user, "wrong password") }
        screen.clock.advance(seconds: 61)
        for _ in 0..<4 { #expect(try screen.get(user, "wrong password").status == 401) }
        #expect(try screen.get(user, "wrong password").headers["retry-after"] == "120")
        screen.clock.advance(seconds: 121)
        for _ in 0..<5 { _ = try screen.get(user, "wrong password") }
        #expect(try screen.get(user, password).headers["retry-after"] == "240")
    }

    @Test func caseAndSpacesOfTheNameDoNotEscapeTheCount() throws {
        let screen = try Screen(f)
        for name in ["ALICE", "Alice", " alice", "alice\t"] {
            #expect(try screen.get(name, "wrong password").status == 401, "\(name)")
        }
        #expect(try screen.get("aLiCe ", "wrong password").status == 429)
        #expect(try screen.get(user, password).status == 429)
    }

    @Test func failuresSpreadOverMoreThanTheWindowAreNotLockedOut() throws {
        let screen = try Screen(f)
        for _ in 0..<8 {
            #expect(try screen.get(user, "wrong password").status == 401)
            screen.clock.advance(seconds: 20)
        }
    }

    @Test func aSuccessClearsTheNamesFailures() throws {
        let screen = try Screen(f)
        for _ in 0..<4 { _ = try screen.get(user, "wrong password") }
        #expect(try screen.get(user, password).status == 200)
        for _ in 0..<4 { #expect(try screen.get(user, "wrong password").status == 401) }
    }

    @Test func oneAddressTryingManyNamesIsLockedOut() throws {
        var limits = SignInLimits()
        limits.maxFailuresPerAddress = 6
        let screen = try Screen(f, limits: limits)
        for i in 0..<5 { #expect(try screen.get("guess\(i)", "password \(i)").status == 401) }
        #expect(try screen.get("guess5", "password 5").status == 429)
        let (viewer, viewerPassword) = ScreenFixture.viewer
        #expect(try screen.get(viewer, viewerPassword).status == 429, "the address is locked, whatever the name")
    }

    @Test func failuresAreWrittenToTheAuditLogWithoutThePassword() throws {
        let screen = try Screen(f)
        #expect(try screen.get(user, "secret guess 1").status == 401)
        #expect(try screen.get("mallory", "secret guess 2").status == 401)
        #expect(try screen.get(user, password).status == 200)
        let events = try screen.signInEvents()
        #expect(events.count == 2)
        #expect(events.map { ($0["actor"] as? [String: Any])?["user"] as? String } == [user, "mallory"])
        #expect(events.allSatisfy { ($0["outcome"] as? [String: Any])?["status"] as? Int == 401 })
        #expect(events.allSatisfy { ($0["access"] as? [String: Any])?["kind"] as? String == "sign-in" })
        #expect(events.allSatisfy { ($0["actor"] as? [String: Any])?["ip"] as? String == "127.0.0.1" })
        let text = String(decoding: try JSONSerialization.data(withJSONObject: events), as: UTF8.self)
        #expect(!text.contains("secret guess"))
    }

    /// Guesses sent all at once: each check counts as pending before its password is hashed, so no more of them
    /// are checked than the limits allow (a trial's 30 parallel guesses had 24 passwords checked).
    @Test func guessesSentAllAtOnceAreCheckedNoMoreThanTheLimitAllows() {
        let throttle = SignInThrottle()
        let now: Int64 = 1_795_600_000 * UTCTime.second
        var allowed = 0
        for n in 0..<30 {
            if case .allowed = throttle.reserve(user: "Bob", address: "10.0.0.\(n)", now: now) { allowed += 1 }
        }
        #expect(allowed == throttle.limits.maxFailuresPerUser)
        var fromOne = 0
        for n in 0..<30 {
            if case .allowed = throttle.reserve(user: "user\(n)", address: "10.9.9.9", now: now) { fromOne += 1 }
        }
        #expect(fromOne == throttle.limits.maxFailuresPerAddress)
        // A pending check that ends in a success frees its place; one that fails counts as a failure.
        throttle.succeeded(user: "user0", address: "10.9.9.9")
        if case .allowed = throttle.reserve(user: "user30", address: "10.9.9.9", now: now) {
        } else {
            Issue.record("a finished check must free its address's place")
        }
    }
}
