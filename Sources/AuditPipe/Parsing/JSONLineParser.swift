/// Parses one JSON-object line of any logger (zap, logrus, pino, bunyan, structlog, ECS) or API gateway.
struct JSONLineParser {
    let roles: FieldRoleTable
    /// `roles.short`, held here: reached through `roles` the whole table was copied for each key.
    private let shortRoles: ShortKeyRoles
    let timestamps: TimestampParser
    let maxDepth: Int
    var keepExtra: Bool
    /// The worker's recent field values, shared by the `String`s plain values become (nil: each made anew).
    let recent: RecentStrings?
    private var path: [UInt8] = []
    /// The headers a record's fields are read from (`FieldCollector.build`: the request id headers,
    /// `traceparent`, `user-agent`, `x-forwarded-for`, `x-real-ip`), lower-cased: only these members of a
    /// headers object are built; the rest are validated and skipped.
    private let wantedHeaders: ByteKeyTable<Bool>
    /// The longest of `wantedHeaders`, in bytes.
    private let longestWantedHeader: Int
    /// Bit `n` set when one of `wantedHeaders` is `n` bytes long (bit 63 for any longer).
    private let wantedHeaderLengths: UInt64
    /// The roles read (`filter --records`' lean parse reads only what its filter and the joiner need); a value of
    /// any other role is validated and skipped like an unknown key's.
    var keeps = RoleMask.all
    /// With fewer than every role kept: the objects to descend into (`FieldRoleTable.containers(holding:)`).
    var keptContainers = ByteKeyTable<Bool>([])

    init(
        roles: FieldRoleTable, timestamps: TimestampParser, maxDepth: Int, keepExtra: Bool,
        recent: RecentStrings? = nil
    ) {
        self.recent = recent
        self.roles = roles
        shortRoles = roles.short
        self.timestamps = timestamps
        self.maxDepth = maxDepth
        self.keepExtra = keepExtra
        let wanted = roles.headerIDNames + FieldCollector.fieldHeaderNames
        wantedHeaders = ByteKeyTable(wanted.map { ($0, true) })
        longestWantedHeader = wanted.map(\.utf8.count).max() ?? 0
        wantedHeaderLengths = wanted.reduce(0) { $0 | 1 << UInt64(min($1.utf8.count, 63)) }
        path.reserveCapacity(256)
    }

    /// Scans the object in `line` into `collector`; throws on invalid JSON.
    mutating func parse(_ line: UnsafeBufferPointer<UInt8>, into c: inout FieldCollector) throws(JSONSyntaxError) {
        var s = JSONScanner(line, maxDepth: maxDepth)
        s.skipWhitespace()
        guard s.peek == UInt8(ascii: "{") else { throw s.fail("expected '{'") }
        if !path.isEmpty { path.removeAll(keepingCapacity: true) }
        try scanObject(&s, prefixLength: 0, depth: 1, top: true, into: &c)
        s.skipWhitespace()
        if s.pos < line.count { throw s.fail("unexpected text after the JSON object") }
    }

    private mutating func scanObject(
        _ s: inout JSONScanner, prefixLength: Int, depth: Int, top: Bool, into c: inout FieldCollector
    ) throws(JSONSyntaxError) {
        guard depth <= maxDepth else { throw s.fail("nesting deeper than \(maxDepth)") }
        s.pos += 1
        s.skipWhitespace()
        if s.peek == UInt8(ascii: "}") {
            s.pos += 1
            return
        }
        while true {
            s.skipWhitespace()
            let keySpan = try s.scanString()
            // `"key":value` without blanks (nearly every line): the colon taken in one look.
            if s.pos + 1 < s.b.count && s.b[s.pos] == UInt8(ascii: ":") && s.b[s.pos + 1] > 0x20 {
                s.pos += 1
            } else {
                try s.expect(UInt8(ascii: ":"))
                s.skipWhitespace()
            }
            // A plain top-level key is looked up where it lies in the line; the dotted path is only built
            // for nested or escaped keys, or before descending into an object.
            let direct = prefixLength == 0 && !keySpan.escaped
            let key = UnsafeBufferPointer(rebasing: s.b[keySpan.start..<keySpan.end])
            if !direct {
                if path.count > prefixLength { path.removeSubrange(prefixLength...) }
                if keySpan.escaped {
                    path.append(contentsOf: s.decode(keySpan).utf8)
                } else {
                    path.append(contentsOf: key)
                }
            }
            let n = keySpan.end - keySpan.start
            var role: FieldRole?
            if direct && n >= 1 && n <= ShortKeyRoles.longest {
                role = shortRoles.role(in: s.b, at: keySpan.start, count: n)
            } else if direct {
                role = roles.role(key)
            } else {
                role = path.withUnsafeBufferPointer { roles.role($0) }
            }
            // `case .container`, not `==`: the derived equality was left a call a key.
            if !keeps.isAll, let r = role, r.isContainer || !keeps.contains(r) {
                // Not read: skipped, unless it is an object some kept role lies inside.
                var holds = false
                if s.peek == UInt8(ascii: "{") {
                    holds =
                        direct
                        ? keptContainers.lookup(key) != nil
                        : path.withUnsafeBufferPointer { keptContainers.lookup($0) } != nil
                }
                role = holds ? .container : nil
            }
            var consumed = false
            // A lean parse reads no captured fields (they key groups and enrichment, not a record the filter drops).
            if keeps.isAll, let captures = roles.captures,
                let index = direct ? captures.lookup(key) : path.withUnsafeBufferPointer({ captures.lookup($0) })
            {
                if index >= 0 {
                    let start = s.pos
                    c.capture(index, try s.parseValue(depth: depth), count: roles.captureCount)
                    if role != nil || (top && keepExtra) { s.pos = start } else { consumed = true }
                } else if role == nil {
                    role = .container
                }
            }
            if top && keepExtra && !(role?.isCore ?? false) {
                let start = s.pos
                let value = try s.parseValue(depth: depth)
                c.extra.append(JSONMember(s.decode(keySpan), value))
                if role != nil { s.pos = start }
            }
            if consumed {
                // The capture read the value.
            } else if let role {
                // A string (most values a role reads) is scanned and offered here; a call to `scanValue` per value
                // cost its setup.
                if s.peek == 0x22 {
                    try offerString(&s, role: role, into: &c)
                } else if direct && s.peek == UInt8(ascii: "{") {
                    path.removeAll(keepingCapacity: true)
                    path.append(contentsOf: key)
                    try scanValue(&s, role: role, depth: depth, into: &c)
                } else {
                    try scanValue(&s, role: role, depth: depth, into: &c)
                }
            } else if !(top && keepExtra) {
                // A string (most skipped values, and nearly all of a lean parse's) is skipped here, inline, as
                // `skipValue` skips it; a call per value cost its setup and dispatch.
                if s.peek == 0x22 { _ = try s.scanString() } else { try s.skipValue(depth: depth) }
            }
            s.skipWhitespace()
            guard let sep = s.peek else { throw s.fail("unexpected end of line") }
            if sep == UInt8(ascii: "}") {
                s.pos += 1
                return
            }
            guard sep == UInt8(ascii: ",") else { throw s.fail("expected ',' or '}'") }
            s.pos += 1
        }
    }

    /// True when a header named `raw` (or `decoded`, when the name has escapes) is one of `names` (lower-case)
    /// once lower-cased, as `FieldCollector.header` compares them. An ASCII name is lower-cased in a scratch and
    /// looked up by its bytes; `longest` is the longest of `names` in bytes.
    static func names(
        _ names: ByteKeyTable<Bool>, longest: Int, contain raw: UnsafeBufferPointer<UInt8>, decoded: String?
    ) -> Bool {
        // Lower-casing shrinks UTF-8 at most threefold (the Kelvin sign's 3 bytes become `k`).
        if decoded == nil && raw.count > 3 * longest { return false }
        if decoded != nil || raw.contains(where: { $0 >= 0x80 }) {
            var key = (decoded ?? String(decoding: raw, as: UTF8.self)).lowercased()
            return key.withUTF8 { names.lookup($0) } ?? false
        }
        if raw.count > longest { return false }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: raw.count) { scratch in
            for i in 0..<raw.count {
                let k = raw[i]
                scratch[i] = k >= UInt8(ascii: "A") && k <= UInt8(ascii: "Z") ? k | 0x20 : k
            }
            return names.lookup(UnsafeBufferPointer(scratch)) ?? false
        }
    }

    /// Reads the headers object at the cursor in place: the members a record reads (`wantedHeaders`) into
    /// `spans` (`HeaderSpan.add`), the others validated and skipped. False (or a throw), leaving the object to the
    /// tree read, at what that read takes differently or rejects: an escaped key, a non-ASCII key short enough to
    /// lower-case into a wanted name, a wanted value other than a plain string, any fault.
    func scanHeaders(
        _ s: inout JSONScanner, depth: Int, into spans: inout [HeaderSpan]
    ) throws(JSONSyntaxError) -> Bool {
        guard depth < maxDepth else { return false }
        s.pos += 1
        s.skipWhitespace()
        if s.peek == UInt8(ascii: "}") {
            s.pos += 1
            return true
        }
        while true {
            s.skipWhitespace()
            let keySpan = try s.scanString()
            try s.expect(UInt8(ascii: ":"))
            if keySpan.escaped { return false }
            let key = UnsafeBufferPointer(rebasing: s.b[keySpan.start..<keySpan.end])
            guard let wanted = wantsHeader(key) else { return false }
            if wanted {
                s.skipWhitespace()
                guard s.peek == 0x22 else { return false }
                let v = try s.scanString()
                if v.escaped { return false }
                HeaderSpan.add(key: key, value: UnsafeBufferPointer(rebasing: s.b[v.start..<v.end]), to: &spans)
            } else {
                try s.skipValue(depth: depth + 1)
            }
            s.skipWhitespace()
            guard let sep = s.peek else { return false }
            s.pos += 1
            if sep == UInt8(ascii: "}") { return true }
            if sep != UInt8(ascii: ",") { return false }
        }
    }

    /// Whether an unescaped header key is one of `wantedHeaders`, as `names` decides it; nil for a non-ASCII key
    /// short enough that lower-casing could make it one (left to the tree read). A key of up to 32 bytes is
    /// checked for ASCII and lower-cased eight bytes a step, and looked up only when a wanted name has its
    /// length (`names`, byte by byte, cost ~340 instructions a key).
    private func wantsHeader(_ key: UnsafeBufferPointer<UInt8>) -> Bool? {
        let n = key.count
        if n > 3 * longestWantedHeader { return false }
        guard n <= 32, let base = key.baseAddress else {
            if key.contains(where: { $0 >= 0x80 }) { return nil }
            return Self.names(wantedHeaders, longest: longestWantedHeader, contain: key, decoded: nil)
        }
        var scratch: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &scratch) { out -> Bool? in
            out.copyMemory(from: UnsafeRawBufferPointer(start: base, count: n))
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            for j in 0..<(n + 7) / 8 {
                let w = out.load(fromByteOffset: 8 * j, as: UInt64.self)
                if w & highs != 0 { return nil }
                // A byte's high bit: at or above `A` (+0x3F), and not at or above `[` (+0x25); no byte carries.
                let upper = (w &+ ones &* 0x3F) & ~(w &+ ones &* 0x25) & highs
                out.storeBytes(of: w | upper >> 2, toByteOffset: 8 * j, as: UInt64.self)
            }
            guard wantedHeaderLengths & 1 << UInt64(n) != 0 else { return false }
            return wantedHeaders.lookup(UnsafeBufferPointer(rebasing: out.bindMemory(to: UInt8.self)[..<n])) ?? false
        }
    }

    /// Scans the string at the cursor and offers it for `role` (its bytes in place, or decoded when escaped).
    @inline(__always)
    private func offerString(_ s: inout JSONScanner, role: FieldRole, into c: inout FieldCollector)
        throws(JSONSyntaxError)
    {
        let span = try s.scanString()
        if span.escaped {
            c.offer(role, string: s.decode(span), timestamps: timestamps)
        } else if case .time(let rank) = role {
            c.offerTime(rank: rank, UnsafeBufferPointer(rebasing: s.b[span.start..<span.end]), timestamps: timestamps)
        } else {
            c.offer(role, UnsafeBufferPointer(rebasing: s.b[span.start..<span.end]), recent: recent)
        }
    }

    private mutating func scanValue(
        _ s: inout JSONScanner, role: FieldRole, depth: Int, into c: inout FieldCollector
    ) throws(JSONSyntaxError) {
        guard let first = s.peek else { throw s.fail("unexpected end of line") }
        switch first {
        case 0x22:
            try offerString(&s, role: role, into: &c)
        case UInt8(ascii: "{"):
            switch role {
            case .headers:
                if !c.hasHeaders {
                    let start = s.pos
                    if (try? scanHeaders(&s, depth: depth, into: &c.headerSpans)) == true {
                        c.headersInPlace = true
                        return
                    }
                    s.pos = start
                    if !c.headerSpans.isEmpty { c.headerSpans.removeAll(keepingCapacity: true) }
                }
                // Read as a tree: what the in-place read leaves, or a second headers value (validated, dropped).
                // Only the headers the record reads are built (a gateway logs a dozen per request).
                let (wanted, longest) = (wantedHeaders, longestWantedHeader)
                let tree = try s.parseObject(depth: depth) { raw, decoded in
                    Self.names(wanted, longest: longest, contain: raw, decoded: decoded)
                }
                c.offer(role, tree: tree, timestamps: timestamps)
            case .query, .body:
                c.offer(role, tree: try s.parseValue(depth: depth), timestamps: timestamps)
            default:
                path.append(UInt8(ascii: "."))
                try scanObject(&s, prefixLength: path.count, depth: depth + 1, top: false, into: &c)
            }
        case UInt8(ascii: "["):
            switch role {
            case .ip, .query, .body, .headers:
                c.offer(role, tree: try s.parseValue(depth: depth), timestamps: timestamps)
            default:
                try s.skipValue(depth: depth)
            }
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            if case .body = role {
                c.offer(role, tree: try s.parseValue(depth: depth), timestamps: timestamps)
            } else {
                try s.skipValue(depth: depth)
            }
        default:
            let r = try s.scanNumber()
            if case .body = role {
                c.offer(
                    role, tree: .number(String(decoding: UnsafeBufferPointer(rebasing: s.b[r]), as: UTF8.self)),
                    timestamps: timestamps)
            } else {
                c.offer(role, UnsafeBufferPointer(rebasing: s.b[r]), timestamps: timestamps)
            }
        }
    }
}
