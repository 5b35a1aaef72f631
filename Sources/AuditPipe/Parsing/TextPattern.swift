/// A user's text layout (`--text-pattern`, YAML `parse: patterns:`): a PCRE2 regex, possibly written in grok
/// syntax, whose named groups fill a record. Well-known names fill record fields (`time`, `level`,
/// `service`, `request_id`, …); any other name becomes a field of the record (`fields.NAME`).
public struct TextPattern: Sendable {
    /// The pattern as written.
    public let source: String
    let regex: CompiledRegex
    /// The named groups, in the order the pattern opens them.
    let groups: [Group]

    /// One named group of the pattern.
    struct Group: Sendable {
        var number: Int
        var name: String
        /// The record field it fills, or nil for a plain field.
        var role: FieldRole?
        var type: GrokExpander.FieldType
        /// Captured as a quoted string (`%{QS:…}`): the quotes are dropped and escaped quotes undone.
        var unquote = false
    }

    /// Group names that fill a record field, and the role each fills.
    static let wellKnown: [String: FieldRole] = [
        "time": .time(rank: 0), "level": .level, "service": .service(rank: 0), "request_id": .requestID(rank: 0),
        "user": .user, "user_id": .userID, "ip": .ip, "user_agent": .userAgent, "method": .method, "path": .path,
        "status": .status, "message": .message, "action": .action, "entity_type": .entityType,
        "entity_id": .entityID,
    ]

    /// Other names for the well-known groups: Logstash's classic field names (its `COMBINEDAPACHELOG`,
    /// `SYSLOGBASE`) and ECS names with `_` for `.` (a group name cannot hold a dot), so a pattern written for
    /// Logstash fills the same record fields. The group keeps its own name among the record's fields.
    static let aliases: [String: String] = [
        "timestamp": "time", "loglevel": "level", "clientip": "ip", "auth": "user", "verb": "method",
        "request": "path", "response": "status", "agent": "user_agent", "program": "service", "msg": "message",
        "http_request_method": "method", "url_path": "path", "http_response_status_code": "status",
        "source_ip": "ip", "client_ip": "ip", "user_name": "user", "user_agent_original": "user_agent",
        "log_level": "level", "service_name": "service", "event_action": "action",
    ]

    /// The well-known name an ECS or Logstash field name (`http.request.method`, `[http][request][method]`,
    /// `clientip`) stands for, or nil.
    static func wellKnownName(for field: String) -> String? {
        var dotted = field.replacing("][", with: ".")
        if dotted.hasPrefix("[") { dotted.removeFirst() }
        if dotted.hasSuffix("]") { dotted.removeLast() }
        if dotted == "@timestamp" { return "time" }
        let name = dotted.replacing(".", with: "_")
        return wellKnown[name] != nil ? name : aliases[name]
    }

    /// The well-known names, sorted, for messages.
    static let wellKnownNames = wellKnown.keys.sorted()

    /// Compiles `source` (regex or grok); `definitions` are the user's grok definitions.
    public init(_ written: String, definitions: [String: String] = [:]) throws(PatternError) {
        let source = Self.trimmingLineBreaks(written)
        self.source = source
        let expansion = try GrokExpander(user: definitions).expand(source)
        let regexText = String(decoding: expansion.regex, as: UTF8.self)
        do {
            regex = try CompiledRegex(regexText, namedOnly: true)
        } catch {
            let at =
                error.offset < expansion.sources.count
                ? expansion.sources[error.offset] : source.utf8.count
            throw PatternError("bad regular expression: \(error.message)", at: at, in: source)
        }
        // Two groups of one name (`(?J)`, or a grok field named twice) would leave which one fills the field to
        // the order of alternatives: refused, naming the group, at its second use.
        var seen = Set<String>()
        for (_, name) in regex.names where !seen.insert(name).inserted {
            let uses = Self.offsetsOfGroup(name, in: source)
            throw PatternError(
                "the group name '\(name)' is used twice; give each group its own name, or put the alternatives inside one group: (?<\(name)>A|B)",
                at: uses.count > 1 ? uses[1] : uses.first ?? 0, in: source)
        }
        groups = regex.names.map { number, name in
            Group(
                number: number, name: name, role: Self.wellKnownName(for: name).flatMap { Self.wellKnown[$0] },
                type: expansion.types[name] ?? .string,
                unquote: expansion.quoted.contains(name))
        }
        guard groups.contains(where: { $0.role != nil }) else {
            let first = groups.compactMap { g in
                expansion.fieldOffsets[g.name] ?? Self.offsetOfGroup(g.name, in: source)
            }.min()
            let what =
                groups.isEmpty
                ? "the pattern names no group"
                : "the pattern's groups (\(groups.map(\.name).joined(separator: ", "))) fill no record field"
            throw PatternError(
                "\(what); name at least one group \(Self.wellKnownNames.joined(separator: ", ")), e.g. (?<request_id>…) or %{UUID:request_id}",
                at: first ?? 0, in: source)
        }
    }

    /// `text` without its final line breaks: a YAML block scalar (`- |`) ends with one, which no line holds, so
    /// it is no part of a pattern or a grok definition.
    static func trimmingLineBreaks(_ text: String) -> String {
        var t = text
        while t.hasSuffix("\n") || t.hasSuffix("\r\n") { t.removeLast() }
        return t
    }

    /// Checks the user's grok definitions: each must expand and compile on its own.
    public static func checkDefinitions(_ definitions: [String: String]) -> [(name: String, error: PatternError)] {
        var errors: [(String, PatternError)] = []
        let expander = GrokExpander(user: definitions)
        for (name, written) in definitions.sorted(by: { $0.key < $1.key }) {
            let body = trimmingLineBreaks(written)
            guard GrokExpander.isFieldName(name) else {
                errors.append((name, PatternError("a grok pattern name is letters, digits and '_'", at: 0, in: name)))
                continue
            }
            do {
                let e = try expander.expand(body)
                do {
                    _ = try CompiledRegex(String(decoding: e.regex, as: UTF8.self), namedOnly: true)
                } catch {
                    let at = error.offset < e.sources.count ? e.sources[error.offset] : body.utf8.count
                    errors.append((name, PatternError("bad regular expression: \(error.message)", at: at, in: body)))
                }
            } catch {
                errors.append((name, error))
            }
        }
        return errors
    }

    private static func offsetOfGroup(_ name: String, in source: String) -> Int? {
        for form in ["(?<\(name)>", "(?P<\(name)>", "(?'\(name)'"] {
            if let r = source.utf8.firstRange(of: form.utf8) {
                return source.utf8.distance(from: source.utf8.startIndex, to: r.lowerBound)
            }
        }
        return nil
    }

    /// Where `name` is opened as a regex group or named as a grok field (`:name}`, `:name:`), in order.
    private static func offsetsOfGroup(_ name: String, in source: String) -> [Int] {
        let bytes = Array(source.utf8)
        var found: [Int] = []
        for form in ["(?<\(name)>", "(?P<\(name)>", "(?'\(name)'", ":\(name)}", ":\(name):"] {
            let f = Array(form.utf8)
            var i = 0
            while i + f.count <= bytes.count {
                if bytes[i..<(i + f.count)].elementsEqual(f) { found.append(form.hasPrefix(":") ? i + 1 : i) }
                i += 1
            }
        }
        return found.sorted()
    }
}

/// Canonical request ids (`--id-pattern`, YAML `correlation: id_pattern:`): every extracted id becomes its
/// first match of the pattern (group 1 when the pattern has a group); an id without a match stays as it is.
/// A match that is a UUID is lowercased (RFC 4122: UUIDs compare case-insensitively).
public struct RequestIDPattern: Sendable {
    /// The pattern as written.
    public let source: String
    let regex: CompiledRegex

    /// Compiles `source`.
    public init(_ source: String) throws(PatternError) {
        self.source = source
        do {
            regex = try CompiledRegex(source)
        } catch {
            throw PatternError("bad regular expression: \(error.message)", at: error.offset, in: source)
        }
        // A pattern that matches nothing at all would turn every id into the empty string: every record
        // uncorrelated, in silence. Tried on the empty id, a letter, a UUID-like id, each character the pattern
        // names and its literal text (a lookahead alone, `(?=req-)`, matches nothing only where that text is).
        let data = RegexMatchData(for: regex)
        let group = regex.captureCount > 0 ? 1 : 0
        var probes = ["", "x", "req-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"]
        let literal = source.filter { !"\\^$.|?*+()[]{}=!<>:".contains($0) }
        probes.append(literal)
        probes += Set(literal).sorted().map { String($0) }
        for probe in probes {
            let empty = Array(probe.utf8).withUnsafeBufferPointer { b in
                regex.match(b, data) && data.range(group)?.isEmpty == true
            }
            if empty {
                throw PatternError(
                    "the pattern can match an empty id, which would make every id the same; make it match at least one character",
                    at: 0, in: source)
            }
        }
    }

    /// The canonical form of `id`, using `data` (made for this pattern) as scratch space.
    func canonical(_ id: String, _ data: RegexMatchData) -> String {
        var id = id
        return id.withUTF8 { b in
            // An empty match (one the checks at load could not foresee), or a group 1 that took no part in the
            // match (`(\d+)|req-` on `req-abc`), is no match: the id stays as it is.
            guard regex.match(b, data), let r = data.range(regex.captureCount > 0 ? 1 : 0), !r.isEmpty else {
                return String(decoding: b, as: UTF8.self)
            }
            let m = UnsafeBufferPointer(rebasing: b[r])
            if m.count == 36, ByteScanning.isUUID(m, at: 0) {
                return String(decoding: m.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 }, as: UTF8.self)
            }
            return String(decoding: m, as: UTF8.self)
        }
    }
}

extension TextPattern {
    /// For the benchmark: runs the pattern over every line of `text` (newline-separated), matching only
    /// (`buildRecords` false) or building each matched line's record as a parser task does; returns the
    /// number of lines that matched.
    package func benchmarkLines(_ text: UnsafeBufferPointer<UInt8>, buildRecords: Bool) -> Int {
        let data = RegexMatchData(for: regex)
        let parser = TextPatternParser(
            patterns: [self], roles: FieldRoleTable(idFields: defaultRequestIDFields),
            timestamps: TimestampParser(assumedYear: 2026), keepExtra: false)
        var matched = 0
        var start = 0
        while start < text.count {
            let end = ByteScanning.find(10, in: text, from: start) ?? text.count
            let line = UnsafeBufferPointer(rebasing: text[start..<end])
            if buildRecords {
                let position = SourcePosition(input: 0, line: 0, offset: Int64(start))
                if parser.parse(line, position: position, fileService: nil, keepMessage: false) != nil { matched += 1 }
            } else if regex.match(line, data) {
                matched += 1
            }
            start = end + 1
        }
        return matched
    }
}
