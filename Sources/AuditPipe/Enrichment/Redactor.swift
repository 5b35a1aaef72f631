/// Replaces secrets with `[REDACTED]` before anything is written: values of sensitive keys (matched
/// case-insensitively, `-` and `_` alike) in headers, query and payload, and `Bearer …` / `key=value`
/// secrets inside free text.
public struct Redactor: Sendable {
    /// The replacement text.
    public static let mask = "[REDACTED]"
    /// Keys redacted when equal (after normalising).
    public static let defaultExactKeys = [
        "authorization", "proxy_authorization", "cookie", "set_cookie", "x_api_key", "x_auth_token",
    ]
    /// Keys redacted when they contain one of these.
    public static let defaultKeyParts = [
        "password", "passwd", "secret", "token", "api_key", "apikey", "private_key", "credential", "session_key",
    ]

    private let keys: SensitiveKeys
    private let kept: SensitiveKeys?
    private static let maskBytes = Array(mask.utf8)

    /// Creates a redactor; `extraKeys` adds exact keys, `keep` names keys never masked in structured
    /// values (both ASCII case-insensitive, `-` and `_` alike).
    public init(extraKeys: [String] = [], keep: [String] = []) {
        keys = SensitiveKeys(exact: Self.defaultExactKeys + extraKeys, parts: Self.defaultKeyParts)
        kept = keep.isEmpty ? nil : SensitiveKeys(exact: keep, parts: [])
    }

    /// True when a key's value must not be written.
    public func isSensitive(_ key: String) -> Bool { keys.matches(key) && !(kept?.matches(key) ?? false) }

    /// The value with every sensitive member's value masked, at any depth.
    public func redact(_ value: JSONValue) -> JSONValue { redactedIfChanged(value) ?? value }

    /// Free text with `Bearer <token>`, `Basic <creds>` and `<sensitive-key>=<value>` / `: <value>` masked.
    public func redactText(_ text: String) -> String {
        var t = text
        return t.withUTF8 { redactedIfChanged($0) } ?? text
    }

    /// The redacted value, or nil when nothing in it needed masking (so unchanged values are not copied).
    private func redactedIfChanged(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .object(let members):
            var out: [JSONMember]?
            for (i, m) in members.enumerated() {
                let replacement: JSONValue? = isSensitive(m.key) ? .string(Self.mask) : redactedIfChanged(m.value)
                if let replacement {
                    if out == nil { out = Array(members[..<i]) }
                    out?.append(JSONMember(m.key, replacement))
                } else {
                    out?.append(m)
                }
            }
            return out.map(JSONValue.object)
        case .array(let items):
            var out: [JSONValue]?
            for (i, item) in items.enumerated() {
                if let replacement = redactedIfChanged(item) {
                    if out == nil { out = Array(items[..<i]) }
                    out?.append(replacement)
                } else {
                    out?.append(item)
                }
            }
            return out.map(JSONValue.array)
        case .string(var s): return s.withUTF8 { redactedIfChanged($0) }.map(JSONValue.string)
        default: return nil
        }
    }

    /// Raw bytes (a dead-lettered line that is not UTF-8) with the same secrets masked; other bytes kept as
    /// they are.
    public func redactBytes(_ raw: [UInt8]) -> [UInt8] {
        raw.withUnsafeBufferPointer { redactedBytesIfChanged($0) } ?? raw
    }

    /// The text with its secrets masked, or nil when it holds none.
    private func redactedIfChanged(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        redactedBytesIfChanged(b).map { String(decoding: $0, as: UTF8.self) }
    }

    private func redactedBytesIfChanged(_ b: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        var copied = 0
        var changed = false
        func mask(_ start: Int, _ end: Int) {
            out.append(contentsOf: b[copied..<start])
            out.append(contentsOf: Self.maskBytes)
            copied = end
            changed = true
        }
        var i = 0
        while i < b.count {
            let c = b[i]
            // Bearer / Basic credentials
            if c | 0x20 == UInt8(ascii: "b"), i == 0 || !isWord(b[i - 1]) {
                let skip = matchWord(b, i, "bearer ") ? 7 : matchWord(b, i, "basic ") ? 6 : 0
                var end = i + skip
                while skip > 0, end < b.count, !endsCredential(b[end]) { end += 1 }
                if end > i + skip {
                    mask(i + skip, end)
                    i = end
                    continue
                }
            }
            // `key=value`, `key: value`, and JSON's `"key":"value"` (a quote before the colon).
            let quotedKey = i > 0 && (b[i - 1] == UInt8(ascii: "\"") || b[i - 1] == UInt8(ascii: "'"))
            if c == UInt8(ascii: "=") || (c == UInt8(ascii: ":") && ((i + 1 < b.count && b[i + 1] == 32) || quotedKey))
            {
                var q = i
                while q > 0, b[q - 1] == UInt8(ascii: "\"") || b[q - 1] == UInt8(ascii: "'") { q -= 1 }
                var ks = q
                while ks > 0, isKey(b[ks - 1]) { ks -= 1 }
                if ks < q, keys.matches(UnsafeBufferPointer(rebasing: b[ks..<q])) {
                    var vs = i + 1
                    while vs < b.count, b[vs] == 32 || b[vs] == UInt8(ascii: "\"") || b[vs] == UInt8(ascii: "'") {
                        vs += 1
                    }
                    // `Authorization: Bearer <token>`: keep the scheme, mask the credential.
                    if matchWord(b, vs, "bearer ") { vs += 7 } else if matchWord(b, vs, "basic ") { vs += 6 }
                    var ve = vs
                    while ve < b.count, !endsValue(b[ve]) { ve += 1 }
                    if ve > vs, !b[vs...].starts(with: Self.maskBytes) {
                        mask(vs, ve)
                        i = ve
                        continue
                    }
                }
            }
            i += 1
        }
        guard changed else { return nil }
        out.append(contentsOf: b[copied...])
        return out
    }

    private func endsCredential(_ c: UInt8) -> Bool {
        c == 32 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") || c == UInt8(ascii: ",")
    }
    private func endsValue(_ c: UInt8) -> Bool {
        endsCredential(c) || c == UInt8(ascii: "&") || c == UInt8(ascii: ";")
    }
    private func isKey(_ c: UInt8) -> Bool { isWord(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") }
    private func isWord(_ c: UInt8) -> Bool {
        (c | 0x20 >= 97 && c | 0x20 <= 122) || (c >= 48 && c <= 57) || c == 95
    }
    private func matchWord(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ w: StaticString) -> Bool {
        w.withUTF8Buffer { p in
            guard i + p.count <= b.count else { return false }
            for k in 0..<p.count where b[i + k] | 0x20 != p[k] | 0x20 { return false }
            return true
        }
    }
}
