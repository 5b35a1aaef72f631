/// Turns grok syntax (`%{NAME}`, `%{NAME:field}`, `%{NAME:field:int}`) into a PCRE2 regex with named
/// groups, remembering for every byte of the result the byte of the written pattern it came from (so an
/// error PCRE2 reports in the expansion points at the written pattern).
struct GrokExpander {
    /// The longest regex a pattern may expand to.
    static let maxExpansion = 1 << 20
    /// The grok patterns known by name: the common library plus the user's definitions.
    let definitions: [String: String]

    /// A pattern expanded to a regex.
    struct Expansion {
        var regex: [UInt8] = []
        /// For each byte of `regex`, the offset in the written pattern it came from.
        var sources: [Int] = []
        /// Fields converted by `:int` / `:float`, by name.
        var types: [String: FieldType] = [:]
        /// Where each named field is written (its name's offset), first occurrence.
        var fieldOffsets: [String: Int] = [:]
        /// Fields captured as `%{QS:…}` / `%{QUOTEDSTRING:…}`: their quotes are dropped and `\"` unescaped.
        var quoted: Set<String> = []

        mutating func append(_ bytes: some Sequence<UInt8>, from source: Int) {
            for b in bytes {
                regex.append(b)
                sources.append(source)
            }
        }
    }

    /// How a grok field's text is stored.
    enum FieldType: String, Sendable { case string, int, float }

    /// Creates an expander with the library and `user` definitions (a user definition wins over the library).
    init(user: [String: String] = [:]) {
        definitions = GrokLibrary.definitions.merging(user.mapValues(TextPattern.trimmingLineBreaks)) { _, mine in mine
        }
    }

    /// Expands `pattern`; unknown names, bad field names and self-references are errors at their offset.
    func expand(_ pattern: String) throws(PatternError) -> Expansion {
        var out = Expansion()
        let bytes = Array(pattern.utf8)
        try expand(bytes, into: &out, sourceOf: { $0 }, depth: 0, pattern: pattern, via: [])
        return out
    }

    private func expand(
        _ b: [UInt8], into out: inout Expansion, sourceOf: (Int) -> Int, depth: Int, pattern: String, via: [String]
    ) throws(PatternError) {
        var i = 0
        let outer = depth == 0
        while i < b.count {
            if b[i] == UInt8(ascii: "\\"), i + 1 < b.count {
                out.append(b[i...(i + 1)], from: sourceOf(i))
                i += 2
                continue
            }
            guard b[i] == UInt8(ascii: "%"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "{") else {
                out.append(CollectionOfOne(b[i]), from: sourceOf(i))
                i += 1
                continue
            }
            let open = i
            guard let close = b[(i + 2)...].firstIndex(of: UInt8(ascii: "}")) else {
                throw PatternError("'%{' without a closing '}'", at: sourceOf(open), in: pattern)
            }
            let parts = b[(i + 2)..<close].split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
            let name = String(decoding: parts[0], as: UTF8.self)
            let nameOffset = sourceOf(i + 2)
            guard !name.isEmpty, parts.count <= 3 else {
                throw PatternError(
                    "a grok reference is %{NAME}, %{NAME:field} or %{NAME:field:int}", at: sourceOf(open), in: pattern)
            }
            guard let definition = definitions[name] else {
                let hint =
                    GrokExpander.closest(name, in: Array(definitions.keys)).map { " (did you mean \($0)?)" } ?? ""
                throw PatternError("unknown grok pattern '\(name)'\(hint)", at: nameOffset, in: pattern)
            }
            if via.contains(name) || depth > 40 {
                throw PatternError("grok pattern '\(name)' refers to itself", at: nameOffset, in: pattern)
            }
            var field: String?
            if parts.count >= 2 {
                let f = String(decoding: parts[1], as: UTF8.self)
                let fieldOffset = outer ? sourceOf(parts[1].startIndex) : nameOffset
                guard Self.isFieldName(f) else {
                    // Logstash's and ECS's nested names (`[http][request][method]`, `http.request.method`).
                    let hint = TextPattern.wellKnownName(for: f).map { " (did you mean '\($0)'?)" } ?? ""
                    throw PatternError(
                        "a grok field name is letters, digits and '_', not starting with a digit; got '\(f)'\(hint)",
                        at: fieldOffset, in: pattern)
                }
                field = f
                if out.fieldOffsets[f] == nil { out.fieldOffsets[f] = fieldOffset }
                if name == "QS" || name == "QUOTEDSTRING" { out.quoted.insert(f) }
                if parts.count == 3 {
                    let t = String(decoding: parts[2], as: UTF8.self)
                    guard let type = FieldType(rawValue: t) else {
                        throw PatternError(
                            "a grok field type is int, float or string; got '\(t)'",
                            at: outer ? sourceOf(parts[2].startIndex) : nameOffset, in: pattern)
                    }
                    if type != .string { out.types[f] = type }
                }
            }
            let at = sourceOf(open)
            // Definitions that refer to each other twice over double at every level: bound the result.
            if out.regex.count > Self.maxExpansion {
                throw PatternError("the pattern expands past \(Self.maxExpansion) bytes", at: at, in: pattern)
            }
            if let field {
                out.append("(?<\(field)>".utf8, from: at)
            } else {
                out.append("(?:".utf8, from: at)
            }
            try expand(
                Array(definition.utf8), into: &out, sourceOf: { _ in at }, depth: depth + 1, pattern: pattern,
                via: via + [name])
            out.append(CollectionOfOne(UInt8(ascii: ")")), from: at)
            i = close + 1
        }
    }

    /// True for a group name PCRE2 and the filter language both accept.
    static func isFieldName(_ s: String) -> Bool {
        guard let first = s.utf8.first, !(48...57).contains(first) else { return false }
        return s.utf8.allSatisfy { LogfmtParser.isKeyByte($0) && $0 != 46 && $0 != 45 && $0 != 64 }
    }

    /// The known name closest to `name` (same letters ignoring case, or one edit away), for a hint.
    static func closest(_ name: String, in names: [String]) -> String? {
        let upper = name.uppercased()
        if names.contains(upper) { return upper }
        return names.sorted().first { distance(Array($0.utf8), Array(upper.utf8)) <= 2 }
    }

    private static func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if abs(a.count - b.count) > 2 { return 3 }
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var row = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = row
        }
        return previous[b.count]
    }
}
