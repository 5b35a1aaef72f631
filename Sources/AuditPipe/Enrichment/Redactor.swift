/// Replaces secrets with `[REDACTED]` before anything is written, so no sink (JSONL, CSV, XLSX, archives, dead
/// letters) sees them: values of sensitive keys in headers, query, payload and record fields (`SensitiveKeys`),
/// a HAR `{"name": <sensitive>, "value": …}` pair's value, every value under a Kubernetes Secret's `data` and
/// `stringData` (also the items of a `SecretList`), and secrets inside any text (`SecretScanner`).
public struct Redactor: Sendable {
    /// The replacement text.
    public static let mask = "[REDACTED]"
    /// Keys redacted when equal (after normalising): session cookies by name. `session_id`/`sessionId` are
    /// audit correlation ids and are kept; add them to `redact:` where they are the cookie itself.
    public static let defaultExactKeys = ["session", "jsessionid", "phpsessid", "connect.sid"]
    /// Keys redacted when they contain one of these (`db_password`, `clientSecret`, `X-Api-Key`, `accessToken`).
    public static let defaultKeyParts = [
        "password", "passwd", "passphrase", "secret", "token", "api_key", "apikey", "private_key", "privatekey",
        "access_key", "accesskey", "credential", "session_key", "sessionkey",
    ]
    /// Keys redacted when their last word is one of these (`Proxy-Authorization`, `Set-Cookie`, `X-Auth`,
    /// `basicAuth`, `DB_PWD`, `X-Amz-Signature`), so that `author` or `authorization.k8s.io/decision` are kept.
    public static let defaultLastWords = [
        "authorization", "auth", "cookie", "cookies", "pwd", "pass", "jwt", "bearer", "signature", "sig",
    ]

    private let scanner: SecretScanner
    /// The user named `auth` among the keys to redact: every `auth` value is masked, user names too.
    private let redactsEveryAuth: Bool

    /// Creates a redactor; `extraKeys` adds keys (exact, or `*part*` for any key containing `part`), `keep` names
    /// keys never masked (`token_type`). All ASCII case-insensitive, `-` and `_` alike.
    public init(extraKeys: [String] = [], keep: [String] = []) {
        var exact = Self.defaultExactKeys
        var parts = Self.defaultKeyParts
        for k in extraKeys {
            if k.count > 2, k.hasPrefix("*"), k.hasSuffix("*") {
                parts.append(String(k.dropFirst().dropLast()))
            } else {
                exact.append(k)
            }
        }
        redactsEveryAuth = extraKeys.contains { $0.lowercased() == "auth" }
        scanner = SecretScanner(
            keys: SensitiveKeys(exact: exact, parts: parts, lastWords: Self.defaultLastWords),
            kept: SensitiveKeys(exact: keep, parts: []))
    }

    /// True when a key's value must not be written.
    public func isSensitive(_ key: String) -> Bool {
        scanner.keys.matches(key) && !scanner.kept.matches(key)
    }

    /// A record's fields with `redact`'s masking, but a top-level `auth` equal to the record's user name is kept:
    /// Logstash's classic `COMMONAPACHELOG` names the HTTP basic-auth user `auth` (which fills `user`), and
    /// masking it would hide nothing the record does not show as its user. Any other `auth` is masked, and so is
    /// every one when `redact:` lists `auth`.
    public func redactFields(_ fields: [JSONMember], user: String?) -> JSONValue {
        let redacted = redact(.object(fields))
        guard let user, !redactsEveryAuth, case .object(var out) = redacted, out.count == fields.count else {
            return redacted
        }
        for (i, m) in fields.enumerated() where m.key == "auth" && m.value == .string(user) { out[i] = m }
        return .object(out)
    }

    /// The value with every sensitive member's value masked, and secrets in every string masked, at any depth.
    public func redact(_ value: JSONValue) -> JSONValue { redactedIfChanged(value) ?? value }

    /// Free text with its secrets masked (the detectors of `SecretScanner`).
    public func redactText(_ text: String) -> String {
        var open = false
        return text.withUTF8Bytes { scanner.scan($0, privateKeyOpen: &open) }.map {
            String(decoding: $0, as: UTF8.self)
        }
            ?? text
    }

    /// One line of several (dead letters of one input, in order): `privateKeyOpen` carries a private key block
    /// begun on an earlier line, so its body lines are masked up to `-----END`.
    public func redactLine(_ text: String, privateKeyOpen: inout Bool) -> String {
        return text.withUTF8Bytes { scanner.scan($0, privateKeyOpen: &privateKeyOpen) }.map {
            String(decoding: $0, as: UTF8.self)
        } ?? text
    }

    /// Raw bytes (a dead-lettered line that is not UTF-8) with the same secrets masked; other bytes kept as
    /// they are.
    public func redactBytes(_ raw: [UInt8], privateKeyOpen: inout Bool) -> [UInt8] {
        raw.withUnsafeBufferPointer { scanner.scan($0, privateKeyOpen: &privateKeyOpen) } ?? raw
    }

    /// Raw bytes with their secrets masked.
    public func redactBytes(_ raw: [UInt8]) -> [UInt8] {
        var open = false
        return redactBytes(raw, privateKeyOpen: &open)
    }

    /// The event's free-text fields with their secrets masked, after enrichment rules (which may copy any record
    /// field onto the event): user agent, entity id and name, API path, error, access details and links. User
    /// names, ids and request ids are written as they are.
    func redactFreeText(in e: inout AuditEvent) {
        func text(_ s: inout String?) {
            if let v = s { s = redactText(v) }
        }
        text(&e.actor.userAgent)
        text(&e.entity.id)
        text(&e.entity.name)
        text(&e.outcome.error)
        // Taken out and put back rather than changed through the optional: that copied the whole value in and out.
        if var api = e.api.take() {
            text(&api.path)
            e.api = api
        }
        if var a = e.access.take() {
            text(&a.reportName)
            text(&a.document)
            text(&a.exportFrom)
            a.filters = a.filters.map(redact)
            a.columns = a.columns.map(redact)
            e.access = a
        }
        for k in e.links.indices { e.links[k].value = redact(e.links[k].value) }
    }

    /// The redacted value, or nil when nothing in it needed masking (so unchanged values are not copied).
    /// `isK8sSecret`: the value is an item of a Kubernetes `SecretList` (whose items carry no `kind`).
    private func redactedIfChanged(_ value: JSONValue, isK8sSecret: Bool = false) -> JSONValue? {
        switch value {
        case .object(let members):
            // HAR lists headers, cookies and query parameters as `{"name": …, "value": …}`.
            let namedSecret =
                members.count <= 4
                && members.contains {
                    if $0.key == "name", case .string(let n) = $0.value { return isSensitive(n) }
                    return false
                }
            // A Kubernetes Secret (`requestObject`/`responseObject` of an audit event): every value under
            // `data` and `stringData` is a secret, whatever its key (`tls.key`, `connection`).
            var k8sSecret = isK8sSecret
            var k8sSecretList = false
            // Members read in place: a loop over them copied each (a retain and a release of its key and value).
            members.readEachInPlace { m in
                guard m.key == "kind" else { return }
                k8sSecret = k8sSecret || m.value == .string("Secret")
                k8sSecretList = m.value == .string("SecretList")
            }
            var out: [JSONMember]?
            var i = 0
            members.readEachInPlace { m in
                defer { i += 1 }
                let sensitive = isSensitive(m.key) || (namedSecret && m.key == "value")
                let replacement: JSONValue? =
                    k8sSecret && (m.key == "data" || m.key == "stringData")
                    ? Self.maskedValues(m.value)
                    : !sensitive
                        ? redactedIfChanged(m.value, isK8sSecret: k8sSecretList && m.key == "items")
                        : m.value == .string(Self.mask) ? nil : .string(Self.mask)
                if let replacement {
                    if out == nil { out = Array(members[..<i]) }
                    out?.append(JSONMember(m.key, replacement))
                } else if out != nil {
                    out?.append(m)
                }
            }
            return out.map(JSONValue.object)
        case .array(let items):
            var out: [JSONValue]?
            var i = 0
            items.readEachInPlace { item in
                defer { i += 1 }
                if let replacement = redactedIfChanged(item, isK8sSecret: isK8sSecret) {
                    if out == nil { out = Array(items[..<i]) }
                    out?.append(replacement)
                } else if out != nil {
                    out?.append(item)
                }
            }
            return out.map(JSONValue.array)
        case .string(let s):
            var open = false
            return s.withUTF8Bytes { scanner.scan($0, privateKeyOpen: &open) }.map {
                .string(String(decoding: $0, as: UTF8.self))
            }
        default: return nil
        }
    }

    /// A Secret's `data`/`stringData`: every member's value masked, keys kept; anything else but null masked
    /// whole. Nil when already so.
    private static func maskedValues(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .null: return nil
        case .object(let members):
            guard members.contains(where: { $0.value != .string(mask) }) else { return nil }
            return .object(members.map { JSONMember($0.key, .string(mask)) })
        default: return value == .string(mask) ? nil : .string(mask)
        }
    }
}
