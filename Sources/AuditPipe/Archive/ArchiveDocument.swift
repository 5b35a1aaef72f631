/// A signed archive document (a day's manifest, `head.json`) read strictly: one JSON object with no key twice
/// in any object, and members read by type, each fault named (`Invalid`). A repeated key is refused because
/// readers disagree on it: auditpipe's parser keeps the first value, jq and most others the last.
struct ArchiveDocument {
    /// Why a file's bytes are not the document: not an object, a key repeated, or a member missing or of the
    /// wrong type.
    struct Invalid: Error, Equatable {
        let reason: String
    }

    /// The document's top-level object.
    let value: JSONValue

    /// Parses `bytes` as one JSON object in which no object repeats a key.
    init(_ bytes: [UInt8]) throws(Invalid) {
        var trailing = false
        var syntax: JSONSyntaxError?
        let parsed: JSONValue? = bytes.withUnsafeBufferPointer { b in
            var s = JSONScanner(b, maxDepth: 4)
            s.keepsRepeatedKeys = true
            do throws(JSONSyntaxError) {
                let v = try s.parseValue(depth: 0)
                s.skipWhitespace()
                trailing = s.pos < b.count
                return v
            } catch {
                syntax = error
                return nil
            }
        }
        if let syntax { throw Invalid(reason: "not JSON: \(syntax.reason) at byte \(syntax.column)") }
        guard let v = parsed, case .object = v else { throw Invalid(reason: "not a JSON object") }
        // A second document or bytes after the object: jq reads them (or refuses the file), auditpipe did not.
        if trailing { throw Invalid(reason: "bytes after the JSON object") }
        if let key = Self.repeatedKey(in: v, path: "") {
            throw Invalid(
                reason:
                    "duplicate key \"\(key)\" (readers that keep the first value and readers that keep the last disagree)"
            )
        }
        value = v
    }

    /// The fault of a file whose values are read but whose bytes are not the ones auditpipe writes for them:
    /// a signature covers the values as written, so a reordered, respaced or renumbered copy is not the file
    /// that was signed.
    static let notCanonical = Invalid(
        reason:
            "not in the exact form auditpipe writes (members reordered, spacing or a number's form changed)"
    )

    /// The member `key`, or nil.
    subscript(key: String) -> JSONValue? { value[key] }

    /// The member `key`: a non-negative JSON integer (digits only) that fits in 64 bits.
    func count(_ key: String) throws(Invalid) -> Int64 {
        switch value[key] {
        case .number(let n):
            if let i = Int64(n), n.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) { return i }
            if n.hasPrefix("-") { throw Invalid(reason: "\(key) is \(n), a negative number; it must be a count") }
            if n.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) { throw Invalid(reason: "\(key) is \(n), too large") }
            throw Invalid(reason: "\(key) is \(n), not an integer")
        case nil: throw Invalid(reason: "\(key) is missing")
        case let other?: throw Invalid(reason: "\(key) is \(Self.describe(other)), not a JSON integer")
        }
    }

    /// The member `key`: a JSON string.
    func text(_ key: String) throws(Invalid) -> String {
        guard let member = value[key] else { throw Invalid(reason: "\(key) is missing") }
        guard case .string(let s) = member else {
            throw Invalid(reason: "\(key) is \(Self.describe(member)), not a string")
        }
        return s
    }

    /// The member `key`: a JSON string, or null or absent (nil).
    func optionalText(_ key: String) throws(Invalid) -> String? {
        switch value[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        case let other?: throw Invalid(reason: "\(key) is \(Self.describe(other)), not a string or null")
        }
    }

    /// The first key an object in `v` holds twice, as a dotted path from the top (`signature.key_id`).
    private static func repeatedKey(in v: JSONValue, path: String) -> String? {
        switch v {
        case .object(let members):
            var seen: Set<String> = []
            for member in members where !seen.insert(member.key).inserted { return path + member.key }
            for member in members {
                if let key = repeatedKey(in: member.value, path: path + member.key + ".") { return key }
            }
            return nil
        case .array(let items):
            for (i, item) in items.enumerated() {
                if let key = repeatedKey(in: item, path: path + "\(i).") { return key }
            }
            return nil
        default: return nil
        }
    }

    /// A value as a reader of the document should see it named.
    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): "the string \"\(s.count > 40 ? String(s.prefix(40)) + "…" : s)\""
        case .number(let n): n
        case .bool(let b): b ? "true" : "false"
        case .null: "null"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
