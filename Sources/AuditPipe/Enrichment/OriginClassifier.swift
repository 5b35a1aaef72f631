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

    /// Every needle's bytes and origin rank (0 webhook, 1 cli, 2 ui), grouped by first byte.
    private static let needles = NeedleTable([webhooks, clis, browsers])
    private static let originNames = ["webhook", "cli", "ui"]

    /// The origin, or nil when nothing tells.
    public static func classify(userAgent: String?, user: String?) -> String? {
        if let ua = userAgent, !ua.isEmpty {
            let best = ua.withUTF8Bytes { b in
                var best = needles.bestRank(in: b)
                if best > 1, endsFolded(b, "-cli") { best = 1 }
                return best
            }
            return best < originNames.count ? originNames[best] : "api"
        }
        if let u = user?.lowercased(), u.hasPrefix("system:") || u.hasPrefix("svc-") || u == "cron" || u == "system" {
            return "system"
        }
        return nil
    }

    /// The needles in flat arrays of plain values: walking an array of `(bytes: [UInt8], rank: Int)` retained
    /// and released each candidate's array, ~4,300 instructions an event (dump10k: 43M of 1,572M).
    private struct NeedleTable: Sendable {
        /// Every needle's bytes, end to end.
        let bytes: [UInt8]
        /// Per needle, grouped by first byte: where its bytes start, how many, its rank.
        let entries: [(start: Int32, count: Int32, rank: Int32)]
        /// Per first byte `c`: the needles at `entries[first[c]..<first[c + 1]]`.
        let first: [Int32]

        init(_ ranked: [[String]]) {
            var byByte = [[(bytes: [UInt8], rank: Int)]](repeating: [], count: 256)
            for (rank, list) in ranked.enumerated() {
                for n in list { byByte[Int(n.utf8.first!)].append((Array(n.utf8), rank)) }
            }
            var bytes: [UInt8] = []
            var entries: [(start: Int32, count: Int32, rank: Int32)] = []
            var first: [Int32] = []
            for group in byByte {
                first.append(Int32(entries.count))
                for n in group {
                    entries.append((Int32(bytes.count), Int32(n.bytes.count), Int32(n.rank)))
                    bytes.append(contentsOf: n.bytes)
                }
            }
            first.append(Int32(entries.count))
            self.bytes = bytes
            self.entries = entries
            self.first = first
        }

        /// The lowest rank of a needle found in `b` (ASCII letters folded), or `Int.max`; one pass over `b`,
        /// trying only the needles that start with each byte.
        func bestRank(in b: UnsafeBufferPointer<UInt8>) -> Int {
            bytes.withUnsafeBufferPointer { nb in
                entries.withUnsafeBufferPointer { es in
                    first.withUnsafeBufferPointer { fs in
                        var best = Int32.max
                        for i in 0..<b.count {
                            let c = Int(fold(b[i]))
                            for k in Int(fs[c])..<Int(fs[c + 1]) where es[k].rank < best {
                                let e = es[k]
                                let needle = UnsafeBufferPointer(rebasing: nb[Int(e.start)..<Int(e.start + e.count)])
                                if matchesFolded(b, at: i, needle) { best = e.rank }
                            }
                            if best == 0 { break }
                        }
                        return best == Int32.max ? Int.max : Int(best)
                    }
                }
            }
        }
    }

    private static func fold(_ c: UInt8) -> UInt8 { c >= 65 && c <= 90 ? c | 0x20 : c }

    private static func endsFolded(_ b: UnsafeBufferPointer<UInt8>, _ suffix: StaticString) -> Bool {
        suffix.withUTF8Buffer { n in n.count <= b.count && matchesFolded(b, at: b.count - n.count, n) }
    }

    private static func matchesFolded(_ b: UnsafeBufferPointer<UInt8>, at i: Int, _ n: UnsafeBufferPointer<UInt8>)
        -> Bool
    {
        guard i + n.count <= b.count else { return false }
        for k in 0..<n.count where fold(b[i + k]) != n[k] { return false }
        return true
    }
}
