import Yams

/// Typed reads of YAML nodes that record a diagnostic at the node's line and column instead of throwing,
/// so `validate` reports every problem of a file at once. Strings go through `${ENV}` expansion.
struct YAMLFields {
    let environment: [String: String]
    var diagnostics: [PipelineDiagnostic] = []
    /// The file's lines, for positions inside block scalars (`|`, `>`).
    var lines: [Substring] = []
    /// What YAML counts as a line break (as libyaml numbers lines): LF, CR, CR LF, NEL, LS and PS.
    static let lineBreaks: Set<Character> = ["\n", "\r", "\r\n", "\u{85}", "\u{2028}", "\u{2029}"]

    mutating func fail(_ node: Node?, _ message: String) {
        let mark = node?.mark
        diagnostics.append(PipelineDiagnostic(line: mark?.line ?? 1, column: mark?.column ?? 1, message: message))
    }

    /// The members of a mapping, checking each key against `allowed` (with a did-you-mean).
    mutating func members(_ node: Node, allowed: [String], in context: String) -> [(key: String, node: Node)] {
        guard case .mapping(let mapping) = node else {
            fail(node, "\(context) must be a mapping of \(allowed.joined(separator: ", "))")
            return []
        }
        var out: [(String, Node)] = []
        for (k, v) in mapping {
            guard let key = k.scalar?.string else {
                fail(k, "keys in \(context) must be plain names")
                continue
            }
            guard allowed.contains(key) else {
                fail(k, Self.unknown(key, allowed: allowed, what: "key", in: context))
                continue
            }
            out.append((key, v))
        }
        return out
    }

    /// `unknown key 'x' in C (did you mean 'y'?); allowed: …`.
    static func unknown(_ key: String, allowed: [String], what: String, in context: String) -> String {
        let near = allowed.min { FieldCatalog.distance($0, key) < FieldCatalog.distance($1, key) }
        if let near, FieldCatalog.distance(near, key) <= max(2, key.count / 3) {
            return
                "unknown \(what) '\(key)' in \(context) (did you mean '\(near)'?); allowed: \(allowed.joined(separator: ", "))"
        }
        return "unknown \(what) '\(key)' in \(context); allowed: \(allowed.joined(separator: ", "))"
    }

    mutating func string(_ node: Node, _ key: String) -> String? {
        guard case .scalar(let s) = node else {
            fail(node, "'\(key)' must be a string")
            return nil
        }
        do {
            return try EnvironmentExpansion.expand(s.string, environment: environment)
        } catch {
            fail(node, error.message)
            return nil
        }
    }

    mutating func duration(_ node: Node, _ key: String) -> Int64? {
        guard let s = string(node, key) else { return nil }
        guard let d = DurationText.parse(s) else {
            fail(node, "'\(key)' must be a duration like 500ms, 5s, 5m, 1h or 30d (at most 36500d); got '\(s)'")
            return nil
        }
        return d
    }

    mutating func positiveInt(_ node: Node, _ key: String) -> Int? {
        guard let s = string(node, key) else { return nil }
        guard let n = Int(s), n > 0 else {
            fail(node, "'\(key)' must be a positive integer; got '\(s)'")
            return nil
        }
        return n
    }

    mutating func bool(_ node: Node, _ key: String) -> Bool? {
        guard let s = string(node, key) else { return nil }
        switch s {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            fail(node, "'\(key)' must be true or false; got '\(s)'")
            return nil
        }
    }

    /// A list of strings; a single string is a list of one (or, with `commaSeparated`, split on commas).
    mutating func strings(_ node: Node, _ key: String, commaSeparated: Bool = false) -> [String]? {
        switch node {
        case .scalar:
            guard let s = string(node, key) else { return nil }
            return commaSeparated ? s.split(separator: ",").map { String($0).trimmingSpaces } : [s]
        case .sequence(let seq):
            var out: [String] = []
            for item in seq {
                guard let s = string(item, key) else { return nil }
                out.append(s)
            }
            return out
        default:
            fail(node, "'\(key)' must be a string or a list of strings")
            return nil
        }
    }

    /// The items of a sequence.
    mutating func items(_ node: Node, _ key: String) -> [Node] {
        guard case .sequence(let seq) = node else {
            fail(node, "'\(key)' must be a list")
            return []
        }
        return Array(seq)
    }

    /// One of `choices`.
    mutating func choice(_ node: Node, _ key: String, _ choices: [String]) -> String? {
        guard let s = string(node, key) else { return nil }
        guard choices.contains(s) else {
            let near = choices.min { FieldCatalog.distance($0, s) < FieldCatalog.distance($1, s) }
            let hint = near.map { FieldCatalog.distance($0, s) <= 2 ? " (did you mean '\($0)'?)" : "" } ?? ""
            fail(node, "'\(key)' must be one of \(choices.joined(separator: ", ")); got '\(s)'\(hint)")
            return nil
        }
        return s
    }
}
