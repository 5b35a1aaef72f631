/// Replaces secrets with `[REDACTED]` before anything is written: values of sensitive keys (matched
/// case-insensitively, `-` and `_` alike) in headers, query and payload, and `Bearer …` / `key=value`
/// secrets inside free text.
public struct Redactor: Sendable {
    /// The replacement text.
    public static let mask = "[REDACTED]"
    /// Keys redacted when equal (after normalising).
    public static let defaultExactKeys: Set<String> = [
        "authorization", "proxy_authorization", "cookie", "set_cookie", "x_api_key", "x_auth_token",
    ]
    /// Keys redacted when they contain one of these.
    public static let defaultKeyParts = [
        "password", "passwd", "secret", "token", "api_key", "apikey", "private_key", "credential", "session_key",
    ]

    private let exactKeys: Set<String>
    private let keyParts: [String]

    /// Creates a redactor; `extraKeys` adds exact keys.
    public init(extraKeys: [String] = []) {
        exactKeys = Self.defaultExactKeys.union(extraKeys.map(Self.normalise))
        keyParts = Self.defaultKeyParts
    }

    /// True when a key's value must not be written.
    public func isSensitive(_ key: String) -> Bool {
        let k = Self.normalise(key)
        return exactKeys.contains(k) || keyParts.contains(where: { k.contains($0) })
    }

    /// The value with every sensitive member's value masked, at any depth.
    public func redact(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            return .object(
                members.map { m in
                    isSensitive(m.key) ? JSONMember(m.key, .string(Self.mask)) : JSONMember(m.key, redact(m.value))
                })
        case .array(let items): return .array(items.map(redact))
        case .string(let s): return .string(redactText(s))
        default: return value
        }
    }

    /// Free text with `Bearer <token>`, `Basic <creds>` and `<sensitive-key>=<value>` / `: <value>` masked.
    public func redactText(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: ":") || $0 == 32 }) else {
            return text
        }
        var bytes = Array(text.utf8)
        var changed = false
        var i = 0
        while i < bytes.count {
            // Bearer / Basic credentials
            if (matchWord(bytes, i, "bearer ") || matchWord(bytes, i, "basic ")) && (i == 0 || !isWord(bytes[i - 1])) {
                let start = i + (matchWord(bytes, i, "bearer ") ? 7 : 6)
                var end = start
                while end < bytes.count, bytes[end] != 32, bytes[end] != UInt8(ascii: "\""),
                    bytes[end] != UInt8(ascii: "'"),
                    bytes[end] != UInt8(ascii: ",")
                {
                    end += 1
                }
                if end > start {
                    bytes.replaceSubrange(start..<end, with: Array(Self.mask.utf8))
                    changed = true
                    i = start + Self.mask.utf8.count
                    continue
                }
            }
            if bytes[i] == UInt8(ascii: "=")
                || (bytes[i] == UInt8(ascii: ":") && i + 1 < bytes.count && bytes[i + 1] == 32)
            {
                var ks = i
                while ks > 0, isKey(bytes[ks - 1]) { ks -= 1 }
                var q = i
                while q > ks, bytes[q - 1] == UInt8(ascii: "\"") || bytes[q - 1] == UInt8(ascii: "'") { q -= 1 }
                if ks < q, isSensitive(String(decoding: bytes[ks..<q], as: UTF8.self)) {
                    var vs = i + 1
                    while vs < bytes.count,
                        bytes[vs] == 32 || bytes[vs] == UInt8(ascii: "\"") || bytes[vs] == UInt8(ascii: "'")
                    {
                        vs += 1
                    }
                    // `Authorization: Bearer <token>`: keep the scheme, mask the credential.
                    if matchWord(bytes, vs, "bearer ") { vs += 7 } else if matchWord(bytes, vs, "basic ") { vs += 6 }
                    var ve = vs
                    while ve < bytes.count, bytes[ve] != 32, bytes[ve] != UInt8(ascii: "&"),
                        bytes[ve] != UInt8(ascii: ","),
                        bytes[ve] != UInt8(ascii: "\""), bytes[ve] != UInt8(ascii: "'"), bytes[ve] != UInt8(ascii: ";")
                    {
                        ve += 1
                    }
                    if ve > vs, !(bytes[vs...].starts(with: Self.mask.utf8)) {
                        bytes.replaceSubrange(vs..<ve, with: Array(Self.mask.utf8))
                        changed = true
                        i = vs + Self.mask.utf8.count
                        continue
                    }
                }
            }
            i += 1
        }
        return changed ? String(decoding: bytes, as: UTF8.self) : text
    }

    static func normalise(_ key: String) -> String {
        String(key.lowercased().map { $0 == "-" ? "_" : $0 })
    }

    private func isKey(_ c: UInt8) -> Bool { isWord(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") }
    private func isWord(_ c: UInt8) -> Bool {
        (c | 0x20 >= 97 && c | 0x20 <= 122) || (c >= 48 && c <= 57) || c == 95
    }
    private func matchWord(_ b: [UInt8], _ i: Int, _ w: StaticString) -> Bool {
        w.withUTF8Buffer { p in
            guard i + p.count <= b.count else { return false }
            for k in 0..<p.count where b[i + k] | 0x20 != p[k] | 0x20 { return false }
            return true
        }
    }
}
