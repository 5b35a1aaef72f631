/// Tells where a request came from by its user agent and user: a browser (`ui`), a command-line tool
/// (`cli`), a webhook sender (`webhook`), an SDK or service client (`api`), or the system itself.
public enum OriginClassifier {
    static let webhooks = [
        "github-hookshot", "bitbucket-webhooks", "gitlab", "stripe", "slack", "twilio", "webhook", "hookdeck",
        "svix",
    ]
    static let clis = [
        "curl/", "wget/", "httpie/", "kubectl/", "aws-cli/", "gcloud", "az-cli", "codefresh-cli", "cf-cli",
        "helm/", "terraform/", "powershell", "insomnia", "postman",
    ]
    static let browsers = ["mozilla/", "chrome/", "safari/", "firefox/", "edg/", "opera"]

    /// Every needle with its origin rank (0 webhook, 1 cli, 2 ui), indexed by its first byte.
    private static let needlesByFirstByte: [[(bytes: [UInt8], rank: Int)]] = {
        var table = [[(bytes: [UInt8], rank: Int)]](repeating: [], count: 256)
        for (rank, list) in [webhooks, clis, browsers].enumerated() {
            for n in list { table[Int(n.utf8.first!)].append((Array(n.utf8), rank)) }
        }
        return table
    }()
    private static let originNames = ["webhook", "cli", "ui"]

    /// The origin, or nil when nothing tells.
    public static func classify(userAgent: String?, user: String?) -> String? {
        if var ua = userAgent, !ua.isEmpty {
            return ua.withUTF8 { b in
                // One pass over the user agent, trying only the needles that start with each byte.
                var best = Int.max
                for i in 0..<b.count {
                    for needle in needlesByFirstByte[Int(fold(b[i]))] where needle.rank < best {
                        if matchesFolded(b, at: i, needle.bytes) { best = needle.rank }
                    }
                    if best == 0 { break }
                }
                if best > 1, endsFolded(b, "-cli") { best = 1 }
                return best < originNames.count ? originNames[best] : "api"
            }
        }
        if let u = user?.lowercased(), u.hasPrefix("system:") || u.hasPrefix("svc-") || u == "cron" || u == "system" {
            return "system"
        }
        return nil
    }

    private static func fold(_ c: UInt8) -> UInt8 { c >= 65 && c <= 90 ? c | 0x20 : c }

    private static func endsFolded(_ b: UnsafeBufferPointer<UInt8>, _ suffix: String) -> Bool {
        let n = Array(suffix.utf8)
        return n.count <= b.count && matchesFolded(b, at: b.count - n.count, n)
    }

    private static func matchesFolded(_ b: UnsafeBufferPointer<UInt8>, at i: Int, _ n: [UInt8]) -> Bool {
        guard i + n.count <= b.count else { return false }
        for k in 0..<n.count where fold(b[i + k]) != n[k] { return false }
        return true
    }
}
