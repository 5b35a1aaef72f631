/// `${NAME}` and `${NAME:-default}` in pipeline strings, from the environment (a default may itself hold
/// `${…}`); `$$` is a literal `$`.
enum EnvironmentExpansion {
    /// What an expansion failed on.
    struct Failure: Error {
        let message: String
    }

    static func expand(_ s: String, environment: [String: String]) throws(Failure) -> String {
        guard s.contains("$") else { return s }
        var out = ""
        var rest = Substring(s)
        while let dollar = rest.firstIndex(of: "$") {
            out += rest[..<dollar]
            let after = rest.index(after: dollar)
            if after < rest.endIndex, rest[after] == "$" {
                out += "$"
                rest = rest[rest.index(after: after)...]
                continue
            }
            guard after < rest.endIndex, rest[after] == "{" else {
                out += "$"
                rest = rest[after...]
                continue
            }
            guard let close = matchingBrace(rest, from: after) else {
                throw Failure(message: "unclosed '${' in '\(s)'")
            }
            let body = rest[rest.index(after: after)..<close]
            var name = body
            var fallback: Substring?
            if let r = body.firstRange(of: ":-") {
                name = body[..<r.lowerBound]
                fallback = body[r.upperBound...]
            }
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw Failure(message: "'${\(body)}' is not a variable name")
            }
            if let v = environment[String(name)], !(fallback != nil && v.isEmpty) {
                out += v
            } else if let fallback {
                out += try expand(String(fallback), environment: environment)
            } else {
                throw Failure(
                    message: "environment variable '\(name)' is not set (write ${\(name):-default} to give a default)")
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// The `}` closing the `{` at `open`, counting nested `${…}`.
    private static func matchingBrace(_ s: Substring, from open: Substring.Index) -> Substring.Index? {
        var depth = 0
        var i = open
        while i < s.endIndex {
            if s[i] == "{" { depth += 1 }
            if s[i] == "}" {
                depth -= 1
                if depth == 0 { return i }
            }
            i = s.index(after: i)
        }
        return nil
    }
}
