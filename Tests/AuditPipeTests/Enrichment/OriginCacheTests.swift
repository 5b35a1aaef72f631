import Testing

@testable import AuditPipe

/// The enricher's memo of origins by user agent must give exactly what `OriginClassifier` gives, whatever it
/// held before: agents of other origins share its 64 slots, agents differ only in the middle, users matter
/// only without an agent.
struct OriginCacheTests {
    @Test func everyOriginIsTheClassifiersOwn() {
        var rng = SplitMix64(seed: 64)
        let bases = [
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "curl/8.5.0", "kubectl/v1.29",
            "GitHub-Hookshot/abc", "python-requests/2.31", "Go-http-client/1.1", "my-service-cli", "Stripe/1.0",
            "x", "", "ÜberAgent/1 (curl/)", String(repeating: "curl/", count: 103), String(repeating: "a", count: 512),
        ]
        var pool: [String] = []
        for _ in 0..<600 {
            var a = bases[Int(rng.next() % UInt64(bases.count))]
            // The same length and ends, another middle: a slot's key may match where the agent does not.
            if !a.isEmpty, rng.next() % 2 == 0 {
                var chars = Array(a)
                chars[chars.count / 2] = ["a", "/", "z", "-"][Int(rng.next() % 4)]
                a = String(chars)
            }
            if rng.next() % 3 == 0 { a += String(rng.next() % 50) }
            pool.append(a)
        }
        let users: [String?] = [nil, "alice", "system:serviceaccount:x", "svc-builder", "cron", "Cron"]
        let cache = OriginCache()
        var origins = Set<String?>()
        for _ in 0..<30_000 {
            let agent: String? = rng.next() % 10 == 0 ? nil : pool[Int(rng.next() % UInt64(pool.count))]
            let user = users[Int(rng.next() % UInt64(users.count))]
            let want = OriginClassifier.classify(userAgent: agent, user: user)
            #expect(cache.origin(userAgent: agent, user: user) == want, "\(agent ?? "nil") \(user ?? "nil")")
            origins.insert(want)
        }
        #expect(origins.count >= 4)
    }
}
