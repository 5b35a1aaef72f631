/// Parses text lines with the user's patterns (`TextPattern`), tried in order: the first that matches gives
/// the record, its named groups offered to a `FieldCollector` like the fields of a logfmt line.
struct TextPatternParser {
    private let patterns: [Plan]
    private let roles: FieldRoleTable
    private let timestamps: TimestampParser
    var keepExtra: Bool
    private let headerIDNames: [String]

    /// A pattern with its groups resolved against this parser's field tables and its own match data.
    private struct Plan {
        let regex: CompiledRegex
        let groups: [Group]
        /// Each group's name, by the group's index in `groups` (kept apart so a group is plain data, copied
        /// without reference counting on every line).
        let names: [String]
        let data: RegexMatchData
    }

    private struct Group {
        let number: Int
        let role: FieldRole?
        /// Index among the fields enrichment rules and composite keys read, or nil.
        let capture: Int?
        let type: GrokExpander.FieldType
        let unquote: Bool
    }

    /// True when there is no pattern to try.
    var isEmpty: Bool { patterns.isEmpty }

    init(patterns: [TextPattern], roles: FieldRoleTable, timestamps: TimestampParser, keepExtra: Bool) {
        self.roles = roles
        self.timestamps = timestamps
        self.keepExtra = keepExtra
        headerIDNames = roles.headerIDNames
        self.patterns = patterns.map { p in
            let groups = p.groups.map { g in
                var name = g.name
                let capture = name.withUTF8 { roles.captures?.lookup($0) }.flatMap { $0 >= 0 ? $0 : nil }
                return Group(number: g.number, role: g.role, capture: capture, type: g.type, unquote: g.unquote)
            }
            return Plan(regex: p.regex, groups: groups, names: p.groups.map(\.name), data: RegexMatchData(for: p.regex))
        }
    }

    /// The record of the first pattern that matches the line, or nil when none does.
    func parse(
        _ b: UnsafeBufferPointer<UInt8>, position: SourcePosition, fileService: String?, keepMessage: Bool
    ) -> LogRecord? {
        for (k, plan) in patterns.enumerated() where plan.regex.match(b, plan.data) {
            var c = FieldCollector()
            c.statusAlone = true
            var timeUnreadable = false
            for (gi, g) in plan.groups.enumerated() {
                guard var r = plan.data.range(g.number) else { continue }
                var unescaped: String?
                if g.unquote, r.count >= 2, Self.isQuote(b[r.lowerBound]), b[r.upperBound - 1] == b[r.lowerBound] {
                    r = (r.lowerBound + 1)..<(r.upperBound - 1)
                    if ByteScanning.find(UInt8(ascii: "\\"), in: UnsafeBufferPointer(rebasing: b[r]), from: 0) != nil {
                        unescaped = Self.unescape(UnsafeBufferPointer(rebasing: b[r]))
                    }
                }
                if let text = unescaped {
                    var bytes = text
                    bytes.withUTF8 {
                        offerGroup(g, plan, gi, $0, decoded: text, into: &c, timeUnreadable: &timeUnreadable)
                    }
                } else {
                    offerGroup(
                        g, plan, gi, UnsafeBufferPointer(rebasing: b[r]), into: &c, timeUnreadable: &timeUnreadable)
                }
            }
            c.notes.pattern = UInt8(min(k + 1, 255))
            c.notes.timeUnreadable = timeUnreadable && c.time == nil
            return c.build(
                position: position, inheritedTime: 0, service: fileService, keepMessage: keepMessage,
                keepExtra: keepExtra, headerIDNames: headerIDNames)
        }
        return nil
    }

    /// Offers one group's text to the collector: to its role, and as a captured or extra field. `decoded`: the
    /// unescaped text `v` lies in, offered as itself — the collector keeps a message's bytes until the record is
    /// built, and this text's storage ends first (a use after free: CI crashed on it once; ASan finds it every time).
    private func offerGroup(
        _ g: Group, _ plan: borrowing Plan, _ index: Int, _ v: UnsafeBufferPointer<UInt8>, decoded: String? = nil,
        into c: inout FieldCollector, timeUnreadable: inout Bool
    ) {
        if let role = g.role {
            if let decoded {
                c.offer(role, string: decoded, timestamps: timestamps)
            } else {
                c.offer(role, v, timestamps: timestamps)
            }
            if case .time = role, c.time == nil, !v.isEmpty { timeUnreadable = true }
        }
        if g.capture != nil || (keepExtra && !(g.role?.isCore ?? false)) {
            let value = Self.value(v, g.type)
            if let index = g.capture { c.capture(index, value, count: roles.captureCount) }
            if keepExtra, !(g.role?.isCore ?? false) { c.extra.append(JSONMember(plan.names[index], value)) }
        }
    }

    private static func isQuote(_ c: UInt8) -> Bool {
        c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") || c == UInt8(ascii: "`")
    }

    /// A quoted string's inside with `\"`, `\'`, `` \` `` and `\\` undone (other escapes, `\x22`, kept).
    private static func unescape(_ v: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(v.count)
        var i = 0
        while i < v.count {
            if v[i] == UInt8(ascii: "\\"), i + 1 < v.count, isQuote(v[i + 1]) || v[i + 1] == UInt8(ascii: "\\") {
                out.append(v[i + 1])
                i += 2
                continue
            }
            out.append(v[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A group's text as a field value: a number for `:int` / `:float` fields whose text is one.
    private static func value(_ v: UnsafeBufferPointer<UInt8>, _ type: GrokExpander.FieldType) -> JSONValue {
        let s = FieldCollector.string(v)
        switch type {
        case .string: return .string(s)
        case .int: return Int(s).map { .number(String($0)) } ?? .string(s)
        case .float:
            guard let d = Double(s), d.isFinite else { return .string(s) }
            return .number(d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d))
        }
    }
}
