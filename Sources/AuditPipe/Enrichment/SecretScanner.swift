#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finds secrets in free text in one pass over its UTF-8 bytes, without a regex engine: each detector starts
/// only at its own trigger byte, and nothing is allocated until something is masked. The detectors (named in
/// README "Redaction"):
/// - `key_value`: `<sensitive-key>=value`, `key: value`, JSON's `"key":"value"` (quoted, `{…}`/`[…]` values whole;
///   `Authorization: Bearer x` keeps the scheme);
/// - `bearer`: `Bearer <token>` / `Basic <credentials>` anywhere, after any run of scheme words (`Bearer Bearer x`);
/// - `url_credentials`: `scheme://user:password@host` keeps user and host;
/// - `jwt`: three or more base64url segments starting `eyJ`;
/// - `aws_access_key`: `AKIA…`/`ASIA…` ids, and `aws_secret_key`: a 40-character secret-key shape next to one;
/// - `github_token`: `ghp_ gho_ ghu_ ghs_ ghr_ github_pat_`; `slack_token`: `xox?-…`, `xapp-…`;
/// - `stripe_key`: `sk_live_ rk_live_ sk_test_ rk_test_`; `npm_token`: `npm_` + 36; `google_api_key`: `AIza` + 35;
///   `slack_webhook`: the path after `https://hooks.slack.com/services/`;
/// - `private_key`: the body of a `-----BEGIN … PRIVATE KEY-----` block up to its `-----END`, across lines.
struct SecretScanner: Sendable {
    let keys: SensitiveKeys
    let kept: SensitiveKeys

    static let mask: [UInt8] = Array("[REDACTED]".utf8)

    /// The text with its secrets masked, or nil when it holds none. `privateKeyOpen` says on entry that the text
    /// continues a private key block (mask up to its `-----END`), and on return that a block is still open.
    func scan(_ b: UnsafeBufferPointer<UInt8>, privateKeyOpen: inout Bool) -> [UInt8]? {
        let n = b.count
        var out: [UInt8] = []
        var copied = 0
        var changed = false
        func mask(_ start: Int, _ end: Int) {
            guard end > start, start >= copied, !Self.isMask(b, start) else { return }
            if !changed { out.reserveCapacity(n + 16) }
            out.append(contentsOf: b[copied..<start])
            out.append(contentsOf: Self.mask)
            copied = end
            changed = true
        }
        var i = 0
        if privateKeyOpen {
            if let end = Self.find(b, "-----END", from: 0) {
                mask(0, end)
                i = end + 8
                privateKeyOpen = false
            } else {
                mask(0, n)
                i = n
            }
        }
        // A 40-character AWS secret key shape found just after an access key id: masked when the scan reaches it.
        var pendingStart = n
        var pendingEnd = n
        while i < n {
            if i > pendingStart {
                // Masked already, inside what another detector masked.
                pendingStart = n
                pendingEnd = n
            }
            // The hot loop: skip bytes that start no detector.
            let limit = min(n, pendingStart)
            while i < limit, !Self.isTrigger(b[i]) { i += 1 }
            if i == pendingStart {
                mask(pendingStart, pendingEnd)
                i = pendingEnd
                pendingStart = n
                pendingEnd = n
                continue
            }
            guard i < n else { break }
            let c = b[i]
            switch c {
            // Each case first checks its second byte, so common letters cost two compares.
            case UInt8(ascii: "-") where i + 10 < n && b[i + 1] == UInt8(ascii: "-"):
                if let (bodyStart, end) = Self.privateKeyBlock(b, i) {
                    if let end {
                        mask(bodyStart, end)
                        i = end + 8
                    } else {
                        mask(bodyStart, n)
                        privateKeyOpen = true
                        i = n
                    }
                    continue
                }
            case UInt8(ascii: ":"), UInt8(ascii: "="):
                if c == UInt8(ascii: ":"), let (authority, end) = Self.urlAuthority(b, i) {
                    if let (start, at) = Self.urlPassword(b, authority, end) { mask(start, at) }
                    if let (start, e) = Self.slackWebhookPath(b, authority, end) {
                        mask(start, e)
                        i = e
                        continue
                    }
                    i = end
                    continue
                }
                if let (start, end) = keyValue(b, i) {
                    mask(start, end)
                    i = end
                    continue
                }
            case UInt8(ascii: "b") where i + 6 < n && (b[i + 1] | 0x20 == 101 || b[i + 1] | 0x20 == 97),
                UInt8(ascii: "B") where i + 6 < n && (b[i + 1] | 0x20 == 101 || b[i + 1] | 0x20 == 97):
                if i == 0 || !Self.isWord(b[i - 1]) {
                    if Self.hasPrefixFolded(b, i, "bearer ") || Self.hasPrefixFolded(b, i, "basic ") {
                        // `Bearer Bearer tok`: the credential follows the whole run of scheme words.
                        let start = Self.afterSchemes(b, i)
                        var end = start
                        while end < n, !Self.endsCredential(b[end]) { end += 1 }
                        if end > start {
                            mask(start, end)
                            i = end
                            continue
                        }
                    }
                }
            case UInt8(ascii: "e") where i + 3 < n && b[i + 1] == UInt8(ascii: "y"):
                if let end = Self.jwt(b, i) {
                    mask(i, end)
                    i = end
                    continue
                }
            case UInt8(ascii: "A") where i + 20 <= n && b[i + 1] == UInt8(ascii: "I"):
                if let end = Self.googleAPIKey(b, i) {
                    mask(i, end)
                    i = end
                    continue
                }
            case UInt8(ascii: "A")
            where i + 20 <= n && (b[i + 1] == UInt8(ascii: "K") || b[i + 1] == UInt8(ascii: "S")):
                if let end = Self.awsAccessKeyID(b, i) {
                    if let (s, e) = Self.awsSecretBefore(b, i, notBefore: copied) { mask(s, e) }
                    mask(i, end)
                    if let (s, e) = Self.awsSecretAfter(b, end) {
                        pendingStart = s
                        pendingEnd = e
                    }
                    i = end
                    continue
                }
            case UInt8(ascii: "g") where i + 4 < n && (b[i + 1] == UInt8(ascii: "h") || b[i + 1] == UInt8(ascii: "i")):
                if let end = Self.githubToken(b, i) {
                    mask(i, end)
                    i = end
                    continue
                }
            case UInt8(ascii: "x") where i + 5 < n && (b[i + 1] == UInt8(ascii: "o") || b[i + 1] == UInt8(ascii: "a")):
                if let end = Self.slackToken(b, i) {
                    mask(i, end)
                    i = end
                    continue
                }
            case UInt8(ascii: "_") where i >= 2 && (b[i - 1] == UInt8(ascii: "k") || b[i - 1] == UInt8(ascii: "m")):
                if let (start, end) = Self.underscoreToken(b, i) {
                    mask(start, end)
                    i = end
                    continue
                }
            default: break
            }
            i += 1
        }
        guard changed else { return nil }
        out.append(contentsOf: b[copied...])
        return out
    }

    // MARK: key_value

    /// The value span of `<sensitive-key>=value` / `key: value` / `"key":"value"` whose separator is at `i`.
    private func keyValue(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> (Int, Int)? {
        let n = b.count
        let quotedKey = i > 0 && Self.isQuote(b[i - 1])
        guard b[i] == UInt8(ascii: "=") || (i + 1 < n && (b[i + 1] == 32 || b[i + 1] == 9)) || quotedKey else {
            return nil
        }
        var q = i
        while q > 0, i - q < 2, b[q - 1] == 32 { q -= 1 }
        if q > 0, Self.isQuote(b[q - 1]) {
            q -= 1
            if q > 0, b[q - 1] == UInt8(ascii: "\\") { q -= 1 }
        }
        var ks = q
        while ks > 0, q - ks <= 64, Self.isKey(b[ks - 1]) { ks -= 1 }
        guard ks < q, q - ks <= 64 else { return nil }
        let key = UnsafeBufferPointer(rebasing: b[ks..<q])
        guard keys.matches(key), !kept.matches(key) else { return nil }
        var vs = i + 1
        while vs < n, b[vs] == 32 || b[vs] == 9 { vs += 1 }
        guard vs < n else { return nil }
        var quote: UInt8 = 0
        var escapedQuote = false
        if b[vs] == UInt8(ascii: "\\"), vs + 1 < n, Self.isQuote(b[vs + 1]) {
            quote = b[vs + 1]
            escapedQuote = true
            vs += 2
        } else if Self.isQuote(b[vs]) {
            quote = b[vs]
            vs += 1
        }
        // `Authorization: Bearer <token>`: keep the scheme (or a run of them), mask the credential.
        vs = Self.afterSchemes(b, vs)
        var ve = vs
        if quote != 0 {
            while ve < n {
                let d = b[ve]
                if escapedQuote {
                    if d == UInt8(ascii: "\\") { break }
                } else if d == quote {
                    break
                } else if d == UInt8(ascii: "\\") {
                    ve += 1
                }
                ve += 1
            }
            ve = min(ve, n)
        } else if vs < n, b[vs] == UInt8(ascii: "{") || b[vs] == UInt8(ascii: "[") {
            ve = Self.balancedEnd(b, vs)
        } else {
            while ve < n, !Self.endsValue(b[ve]) { ve += 1 }
        }
        return ve > vs ? (vs, ve) : nil
    }

    /// Where the credential starts after the run of auth scheme words (`Bearer `, `basic Basic `, extra spaces)
    /// starting at `i`; a scheme word with no credential after it is the credential itself (`Bearer Bearer`).
    private static func afterSchemes(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        var j = i
        while true {
            var next = j
            if hasPrefixFolded(b, j, "bearer ") {
                next = j + 7
            } else if hasPrefixFolded(b, j, "basic ") || hasPrefixFolded(b, j, "token ") {
                next = j + 6
            } else if hasPrefixFolded(b, j, "digest ") {
                next = j + 7
            } else if hasPrefixFolded(b, j, "negotiate ") {
                next = j + 10
            } else if hasPrefixFolded(b, j, "ntlm ") {
                next = j + 5
            }
            guard next > j else { return j }
            while next < b.count, b[next] == 32 || b[next] == 9 { next += 1 }
            guard next < b.count, !endsCredential(b[next]) else { return j }
            j = next
        }
    }

    /// The end of the `{…}` or `[…]` starting at `i` (quotes respected), or the end of the text when unclosed.
    private static func balancedEnd(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        var depth = 0
        var inString = false
        var j = i
        while j < b.count {
            let d = b[j]
            if inString {
                if d == UInt8(ascii: "\\") {
                    j += 1
                } else if d == UInt8(ascii: "\"") {
                    inString = false
                }
            } else if d == UInt8(ascii: "\"") {
                inString = true
            } else if d == UInt8(ascii: "{") || d == UInt8(ascii: "[") {
                depth += 1
            } else if d == UInt8(ascii: "}") || d == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 { return j + 1 }
            }
            j += 1
        }
        return b.count
    }

    // MARK: url_credentials

    /// For `scheme://` whose colon is at `i`: where the authority starts and ends.
    private static func urlAuthority(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> (Int, Int)? {
        guard i > 0, isAlnum(b[i - 1]) else { return nil }
        let start: Int
        if i + 2 < b.count, b[i + 1] == UInt8(ascii: "/"), b[i + 2] == UInt8(ascii: "/") {
            start = i + 3
        } else if hasPrefixFolded(b, i + 1, "\\/\\/") {
            start = i + 5
        } else {
            return nil
        }
        var j = start
        while j < b.count, j - start < 1024 {
            let d = b[j]
            if d <= 32 || d == UInt8(ascii: "/") || d == UInt8(ascii: "?") || d == UInt8(ascii: "#")
                || d == UInt8(ascii: "\"") || d == UInt8(ascii: "'") || d == UInt8(ascii: "<") || d == UInt8(ascii: ">")
                || d == UInt8(ascii: "\\") || d == UInt8(ascii: "`")
            {
                break
            }
            j += 1
        }
        return (start, j)
    }

    /// The password span in `user:password@host` (the first colon, the last `@`), or nil.
    private static func urlPassword(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (Int, Int)? {
        var colon = -1
        var at = -1
        for j in start..<end {
            if b[j] == UInt8(ascii: "@") {
                at = j
            } else if b[j] == UInt8(ascii: ":"), colon < 0, at < 0 {
                colon = j
            }
        }
        guard colon >= 0, at > colon + 1 else { return nil }
        return (colon + 1, at)
    }

    // MARK: token shapes

    /// The end of a JWT (`eyJ…` `.` segment `.` segment, more for JWE) starting at `i`.
    private static func jwt(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        guard i + 3 < b.count, b[i + 1] == UInt8(ascii: "y"), b[i + 2] == UInt8(ascii: "J"),
            i == 0 || !isBase64URL(b[i - 1])
        else { return nil }
        var j = i
        var segments = 0
        var lastLength = 0
        while true {
            let s = j
            while j < b.count, isBase64URL(b[j]) { j += 1 }
            lastLength = j - s
            segments += 1
            if segments == 1 && lastLength < 10 { return nil }
            guard j < b.count, b[j] == UInt8(ascii: "."), j + 1 < b.count, isBase64URL(b[j + 1]) else { break }
            j += 1
        }
        guard segments >= 3 || (segments == 2 && lastLength >= 2 && j < b.count && b[j] == UInt8(ascii: ".")) else {
            return nil
        }
        // An unsigned token (`alg: none`) ends in its second dot.
        if segments == 2 { j += 1 }
        return j
    }

    /// The end of an AWS access key id (`AKIA` or `ASIA` and 16 capitals or digits) starting at `i`.
    private static func awsAccessKeyID(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        guard i + 20 <= b.count, i == 0 || !isAlnum(b[i - 1]),
            b[i + 1] == UInt8(ascii: "K") || b[i + 1] == UInt8(ascii: "S"), b[i + 2] == UInt8(ascii: "I"),
            b[i + 3] == UInt8(ascii: "A")
        else { return nil }
        for k in (i + 4)..<(i + 20) where !((b[k] >= 65 && b[k] <= 90) || (b[k] >= 48 && b[k] <= 57)) { return nil }
        guard i + 20 == b.count || !isAlnum(b[i + 20]) else { return nil }
        return i + 20
    }

    /// A 40-character secret-key shape (base64 letters, digits, `/`, `+`; not all hex) within 100 bytes after `end`.
    /// JSON's `\/` counts as one `/`, so a dead-lettered JSON line is read as its value.
    private static func awsSecretAfter(_ b: UnsafeBufferPointer<UInt8>, _ end: Int) -> (Int, Int)? {
        var j = end
        let limit = min(b.count, end + 100)
        while j < limit {
            while j < limit, secretKeyByteWidth(b, j) == 0 { j += 1 }
            let s = j
            var chars = 0
            var hexOnly = true
            while j < b.count {
                let w = secretKeyByteWidth(b, j)
                guard w > 0 else { break }
                hexOnly = hexOnly && isHex(b[j])
                chars += 1
                j += w
            }
            if chars == 40 && !hexOnly { return (s, j) }
        }
        return nil
    }

    /// The same shape within 100 bytes before an access key id at `i`, not before `notBefore`.
    private static func awsSecretBefore(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, notBefore: Int) -> (Int, Int)? {
        var j = i
        let limit = max(notBefore, i - 100)
        while j > limit {
            while j > limit, secretKeyByteWidthBefore(b, j) == 0 { j -= 1 }
            let e = j
            var chars = 0
            var hexOnly = true
            while j > 0 {
                let w = secretKeyByteWidthBefore(b, j)
                guard w > 0 else { break }
                hexOnly = hexOnly && isHex(b[j - 1])
                chars += 1
                j -= w
            }
            if j >= notBefore, e < i, chars == 40, !hexOnly { return (j, e) }
        }
        return nil
    }

    /// The bytes of the secret-key character at `j`: 1, 2 for JSON's `\/`, 0 for none.
    private static func secretKeyByteWidth(_ b: UnsafeBufferPointer<UInt8>, _ j: Int) -> Int {
        if isSecretKeyByte(b[j]) { return 1 }
        return b[j] == UInt8(ascii: "\\") && j + 1 < b.count && b[j + 1] == UInt8(ascii: "/") ? 2 : 0
    }

    /// The bytes of the secret-key character ending at `j` (before `b[j]`): 1, 2 for `\/`, 0 for none.
    private static func secretKeyByteWidthBefore(_ b: UnsafeBufferPointer<UInt8>, _ j: Int) -> Int {
        guard isSecretKeyByte(b[j - 1]) else { return 0 }
        return b[j - 1] == UInt8(ascii: "/") && j >= 2 && b[j - 2] == UInt8(ascii: "\\") ? 2 : 1
    }

    /// The end of a GitHub token (`ghp_ gho_ ghu_ ghs_ ghr_` + 20 or more letters/digits, `github_pat_…`) at `i`.
    private static func githubToken(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        guard i + 4 < b.count, i == 0 || !isWord(b[i - 1]) else { return nil }
        var j: Int
        if b[i + 1] == UInt8(ascii: "h"), b[i + 3] == UInt8(ascii: "_"), "pousr".utf8.contains(b[i + 2]) {
            j = i + 4
            while j < b.count, isAlnum(b[j]) { j += 1 }
        } else if hasPrefixFolded(b, i, "github_pat_") {
            j = i + 11
            while j < b.count, isWord(b[j]) { j += 1 }
        } else {
            return nil
        }
        return j - i >= 24 && (j == b.count || !isWord(b[j])) ? j : nil
    }

    /// The end of a Slack token (`xoxb-`, `xoxp-`, `xoxa-`, `xoxo-`, `xoxs-`, `xoxr-`, `xoxe-`, `xapp-`) at `i`.
    private static func slackToken(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        guard i + 5 < b.count, i == 0 || !isWord(b[i - 1]) else { return nil }
        let xox =
            b[i + 1] == UInt8(ascii: "o") && b[i + 2] == UInt8(ascii: "x")
            && "abposre".utf8.contains(b[i + 3]) && b[i + 4] == UInt8(ascii: "-")
        guard xox || hasPrefixFolded(b, i, "xapp-") else { return nil }
        var j = i + 5
        while j < b.count, isAlnum(b[j]) || b[j] == UInt8(ascii: "-") { j += 1 }
        return j - i >= 15 ? j : nil
    }

    /// A Stripe key (`sk_live_ rk_live_ sk_test_ rk_test_` + 16 or more letters/digits) or an npm token (`npm_` +
    /// 36 letters/digits) whose `_` is at `i`: its span.
    private static func underscoreToken(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> (Int, Int)? {
        let start: Int
        var j: Int
        let minimum: Int
        if b[i - 1] == UInt8(ascii: "k"), b[i - 2] == UInt8(ascii: "s") || b[i - 2] == UInt8(ascii: "r"),
            hasPrefixFolded(b, i, "_live_") || hasPrefixFolded(b, i, "_test_")
        {
            start = i - 2
            j = i + 6
            minimum = 16
        } else if i >= 3, b[i - 1] == UInt8(ascii: "m"), b[i - 2] == UInt8(ascii: "p"), b[i - 3] == UInt8(ascii: "n") {
            start = i - 3
            j = i + 1
            minimum = 36
        } else {
            return nil
        }
        guard start == 0 || !isWord(b[start - 1]) else { return nil }
        let bodyStart = j
        while j < b.count, isAlnum(b[j]) { j += 1 }
        return j - bodyStart >= minimum && (j == b.count || !isWord(b[j])) ? (start, j) : nil
    }

    /// The end of a Google API key (`AIza` + 35 letters, digits, `_`, `-`) at `i`.
    private static func googleAPIKey(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        guard i + 39 <= b.count, i == 0 || !isBase64URL(b[i - 1]), b[i + 2] == UInt8(ascii: "z"),
            b[i + 3] == UInt8(ascii: "a")
        else { return nil }
        var j = i + 4
        while j < b.count, isBase64URL(b[j]) { j += 1 }
        return j - i == 39 ? j : nil
    }

    /// For a URL whose authority is `hooks.slack.com` and whose path starts `/services/` (or JSON's
    /// `\/services\/`): the span of the rest of the path (the webhook's secret ids), kept `/services/` before it.
    private static func slackWebhookPath(_ b: UnsafeBufferPointer<UInt8>, _ authority: Int, _ end: Int) -> (
        Int, Int
    )? {
        guard end - authority == 15, hasPrefixFolded(b, authority, "hooks.slack.com") else { return nil }
        let start: Int
        if hasPrefixFolded(b, end, "/services/") {
            start = end + 10
        } else if hasPrefixFolded(b, end, "\\/services\\/") {
            start = end + 12
        } else {
            return nil
        }
        var j = start
        while j < b.count, isBase64URL(b[j]) || b[j] == UInt8(ascii: "/") || b[j] == UInt8(ascii: "\\") { j += 1 }
        return j > start ? (start, j) : nil
    }

    // MARK: private_key

    /// For `-----BEGIN … PRIVATE KEY-----` at `i`: where its body starts, and where `-----END` is (nil: not in
    /// this text).
    private static func privateKeyBlock(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> (Int, Int?)? {
        guard hasPrefixFolded(b, i, "-----BEGIN ") else { return nil }
        var j = i + 11
        var sawPrivateKey = false
        while j < b.count, j - i < 80, b[j] != UInt8(ascii: "-"), b[j] != 10 {
            if !sawPrivateKey, hasPrefixFolded(b, j, "PRIVATE KEY") { sawPrivateKey = true }
            j += 1
        }
        guard sawPrivateKey, hasPrefixFolded(b, j, "-----") else { return nil }
        let body = j + 5
        return (body, find(b, "-----END", from: body))
    }

    /// For one line of an input, in order: whether a private key block is open after it, given `open` before it,
    /// and whether the line is a bare body line of an open block (to be masked whole, wherever it ends up: its own
    /// record, a continuation line or a dead letter). An open block stays open only across body lines (base64,
    /// `=`, spaces): `-----END` or any other line closes it, so a BEGIN without END cannot mask what follows.
    /// Cost on a line outside a block: a `memchr` for each `-`.
    static func privateKeyLine(_ b: UnsafeBufferPointer<UInt8>, open: Bool) -> (open: Bool, body: Bool) {
        if open {
            var sawByte = false
            for c in b where c != 32 && c != 9 && c != 13 {
                guard isSecretKeyByte(c) || c == UInt8(ascii: "=") else { return (opensPrivateKey(b), false) }
                sawByte = true
            }
            return (sawByte, sawByte)
        }
        return (opensPrivateKey(b), false)
    }

    /// True when the text leaves a `-----BEGIN … PRIVATE KEY-----` block open (no `-----END` after it).
    /// Looks for dashes with `memchr`, and at each run of dashes only where `-----BEGIN` can start (five before
    /// the run's end: `-----B` needs a non-dash after five dashes).
    private static func opensPrivateKey(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = b.baseAddress else { return false }
        let n = b.count
        let dash = UInt8(ascii: "-")
        var i = 0
        while i + 11 <= n, let hit = memchr(base + i, Int32(dash), n - i) {
            // A run of dashes starts at `j`.
            let j = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            var e = j + 1
            while e < n, b[e] == dash { e += 1 }
            if e - j >= 5, let (_, end) = privateKeyBlock(b, e - 5) {
                guard let end else { return true }
                i = end + 8
            } else {
                i = e
            }
        }
        return false
    }

    // MARK: bytes

    /// `-`, `:`, `=`, `A`, `B`, `_`, `b`, `e`, `g`, `x`: the bytes a detector can start at (`_`: the one in
    /// `sk_live_`/`npm_`, checked backwards).
    @inline(__always)
    static func isTrigger(_ c: UInt8) -> Bool {
        if c < 64 { return (0x2400_2000_0000_0000 as UInt64) >> UInt64(c) & 1 != 0 }
        if c < 128 { return (0x0100_00A4_8000_0006 as UInt64) >> UInt64(c - 64) & 1 != 0 }
        return false
    }

    private static func find(_ b: UnsafeBufferPointer<UInt8>, _ s: StaticString, from: Int) -> Int? {
        var j = from
        let first = s.utf8Start.pointee
        while j + s.utf8CodeUnitCount <= b.count {
            if b[j] == first, hasPrefixFolded(b, j, s) { return j }
            j += 1
        }
        return nil
    }

    static func isMask(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        guard i + mask.count <= b.count else { return false }
        for k in 0..<mask.count where b[i + k] != mask[k] { return false }
        return true
    }

    /// ASCII case-insensitive prefix test (`s` written in lower case, or exact for non-letters).
    static func hasPrefixFolded(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ s: StaticString) -> Bool {
        let count = s.utf8CodeUnitCount
        guard i >= 0, i + count <= b.count else { return false }
        let p = s.utf8Start
        for k in 0..<count {
            let want = p[k]
            let have = b[i + k]
            if have != want && !(want | 0x20 >= 97 && want | 0x20 <= 122 && have | 0x20 == want | 0x20) { return false }
        }
        return true
    }

    private static func endsCredential(_ c: UInt8) -> Bool {
        c <= 32 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") || c == UInt8(ascii: ",")
    }
    private static func endsValue(_ c: UInt8) -> Bool {
        endsCredential(c) || c == UInt8(ascii: "&") || c == UInt8(ascii: ";")
    }
    private static func isQuote(_ c: UInt8) -> Bool { c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") }
    private static func isKey(_ c: UInt8) -> Bool { isWord(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") }
    static func isAlnum(_ c: UInt8) -> Bool { (c | 0x20 >= 97 && c | 0x20 <= 122) || (c >= 48 && c <= 57) }
    static func isWord(_ c: UInt8) -> Bool { isAlnum(c) || c == 95 }
    private static func isBase64URL(_ c: UInt8) -> Bool { isWord(c) || c == UInt8(ascii: "-") }
    private static func isSecretKeyByte(_ c: UInt8) -> Bool {
        isAlnum(c) || c == UInt8(ascii: "/") || c == UInt8(ascii: "+")
    }
    private static func isHex(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c | 0x20 >= 97 && c | 0x20 <= 102) }
}
