import Testing

@testable import AuditPipe

/// `OriginClassifier` walks flat needle tables; this holds it to the plain reading of its rule on random user
/// agents: the lowest-ranked needle found anywhere (ASCII letters folded; webhook, then cli, then ui), a
/// `-cli` suffix as cli, any other agent `api`, and no agent: `system` users, else nothing.
struct OriginClassifierTests {
    /// The rule read plainly, one needle and one position at a time.
    static func reference(userAgent: String?, user: String?) -> String? {
        if let ua = userAgent, !ua.isEmpty {
            let b = ua.utf8.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 }
            func contains(_ needle: String) -> Bool {
                let n = Array(needle.utf8)
                guard n.count <= b.count else { return false }
                return (0...(b.count - n.count)).contains { Array(b[$0..<($0 + n.count)]) == n }
            }
            if OriginClassifier.webhooks.contains(where: contains) { return "webhook" }
            if OriginClassifier.clis.contains(where: contains) || b.reversed().starts(with: Array("ilc-".utf8)) {
                return "cli"
            }
            if OriginClassifier.browsers.contains(where: contains) { return "ui" }
            return "api"
        }
        if let u = user?.lowercased(), u.hasPrefix("system:") || u.hasPrefix("svc-") || u == "cron" || u == "system" {
            return "system"
        }
        return nil
    }

    @Test func agreesWithThePlainRuleOnRandomAgents() {
        var rng = SplitMix64(seed: 41)
        let needles = OriginClassifier.webhooks + OriginClassifier.clis + OriginClassifier.browsers
        let filler = [
            "", " ", "/", "8.5.0", "(X11; Linux x86_64)", "-", "-cli", "é", "Ω/1", "\u{0}", "python-requests/2.31",
            "Go-http-client/1.1", "CLI", "Mozilla", "curl", "hook",
        ]
        var seen: [String: Int] = [:]
        for _ in 0..<20_000 {
            var ua = ""
            for _ in 0..<Int(rng.next() % 5) {
                if rng.next() % 2 == 0 {
                    var n = needles[Int(rng.next() % UInt64(needles.count))]
                    // A needle cut short, or with its letters' case changed.
                    if rng.next() % 4 == 0 { n = String(n.dropLast()) }
                    if rng.next() % 2 == 0 {
                        n = String(n.map { c in rng.next() % 2 == 0 ? Character(c.uppercased()) : c })
                    }
                    ua += n
                } else {
                    ua += filler[Int(rng.next() % UInt64(filler.count))]
                }
            }
            let users: [String?] = [nil, "alice", "system:kube-scheduler", "svc-build", "CRON", "System"]
            let user = users[Int(rng.next() % UInt64(users.count))]
            let agent: String? = rng.next() % 8 == 0 ? nil : ua
            let got = OriginClassifier.classify(userAgent: agent, user: user)
            let want = Self.reference(userAgent: agent, user: user)
            seen[want ?? "nil", default: 0] += 1
            if got != want {
                let what = "\(String(reflecting: agent)) user \(String(reflecting: user))"
                Issue.record("\(what): \(got ?? "nil") != \(want ?? "nil")")
                return
            }
        }
        // Every outcome was drawn many times.
        for origin in ["webhook", "cli", "ui", "api", "system", "nil"] {
            #expect(seen[origin, default: 0] > 200, "\(origin)")
        }
    }
}
