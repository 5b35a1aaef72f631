/// Entry points for the libFuzzer targets (`Sources/AuditPipeFuzz`, README "Fuzzing"): each feeds
/// arbitrary bytes to one reader of untrusted input. A target must never crash, hang or grow without
/// bound; wrong input is an error value, a dead letter or nil.
public enum FuzzTargets {
    /// The targets by name.
    public enum Target: String, CaseIterable, Sendable {
        /// Every line parser (auto detection and each pinned format), timestamps, continuation rules.
        case lines
        /// The filter language, parsed for events and records and evaluated.
        case filter
        /// The pipeline-file loader (YAML, schema, env expansion).
        case pipeline
        /// The gzip reader (members, truncation, the bomb cap).
        case gzip
        /// Whole-file readers: JSON documents (CloudTrail, HAR, EventList) and CSV exports.
        case document
        /// Text patterns and id patterns: the first line is a pattern (regex or grok), the rest are lines
        /// parsed with it and ids canonicalized with it.
        case patterns
    }

    /// Runs `target` on `data`.
    public static func run(_ target: Target, _ data: UnsafeRawBufferPointer) {
        let bytes = Array(data.bindMemory(to: UInt8.self))
        switch target {
        case .lines: lines(bytes)
        case .filter: filter(bytes)
        case .pipeline: pipeline(bytes)
        case .gzip: gzip(bytes)
        case .document: document(bytes)
        case .patterns: patterns(bytes)
        }
    }

    /// One parser per format, built once (building the field tables per input would dominate the run).
    nonisolated(unsafe) private static var parsers: [LineParser] = InputFormat.allCases.map { format in
        var options = ParseOptions()
        options.format = format
        options.captureFields = ["entity.id", "MsgId"]
        options.compositeKey = [0]
        return LineParser(options: options)
    }

    /// The filters whose lean parses the `lines` target checks: one that reads every role (`kind`), one that
    /// reads a few (user, service, level and error code), one that reads only the time.
    nonisolated(unsafe) private static var leanFilters: [FilterExpression] = [
        #"kind == "api""#, #"user == "alice" or service == "billing" or level == "error""#, "false",
    ].map { try! FilterParser.parse($0, for: .records) }

    /// Per format, a parser that keeps every record's fields (`filter --records`), and one per `leanFilters`
    /// entry for its lean parses (`ExtrasGate`).
    nonisolated(unsafe) private static var keeping: [(whole: LineParser, lean: [LineParser])] = InputFormat.allCases
        .map { format in
            var options = ParseOptions()
            options.format = format
            options.captureFields = ["entity.id", "MsgId"]
            options.compositeKey = [0]
            options.includeRecords = true
            let whole = LineParser(options: options)
            return (
                whole,
                leanFilters.map { filter in
                    options.extrasFor = filter
                    return LineParser(options: options)
                }
            )
        }

    private static func lines(_ bytes: [UInt8]) {
        for k in parsers.indices {
            var lineNumber: Int64 = 1
            bytes.withUnsafeBufferPointer { b in
                var start = 0
                for i in 0...b.count where i == b.count || b[i] == 10 {
                    let line = UnsafeBufferPointer(rebasing: b[start..<i])
                    let position = SourcePosition(input: 0, line: lineNumber, offset: Int64(start))
                    _ = parsers[k].parse(line, position: position, fileService: "fuzz")
                    let whole = keeping[k].whole.parse(line, position: position, fileService: "fuzz")
                    for f in leanFilters.indices {
                        let lean = keeping[k].lean[f].parseLean(line, position: position, fileService: "fuzz")
                        leanAgrees(whole, lean, leanFilters[f])
                    }
                    lineNumber += 1
                    start = i + 1
                }
            }
        }
    }

    /// Traps when a lean parse accepts a line the whole parse rejects, reads another value of anything `filter`
    /// can be ruled out by or the joiner reads, or gets another verdict from `filter`.
    private static func leanAgrees(_ whole: ParsedLine, _ lean: ParsedLine, _ filter: FilterExpression) {
        switch (whole, lean) {
        case (.record(let x, let hx, let tx), .record(let y, let hy, let ty)):
            let roles = filter.leanRoles
            var same =
                hx == hy && tx == ty && x.time == y.time && x.timeKnown == y.timeKnown && x.notes == y.notes
                && x.position == y.position && filter.verdict(parsed: x) == filter.verdict(parsed: y)
            if roles.contains(.user) { same = same && x.actor.user == y.actor.user }
            if roles.contains(.service(rank: 0)) { same = same && x.service == y.service }
            if roles.contains(.level) { same = same && x.level == y.level }
            if roles.isAll {
                same =
                    same && x.kind == y.kind && x.requestID == y.requestID && x.actor.ip == y.actor.ip
                    && x.http?.method == y.http?.method && x.http?.path == y.http?.path
                    && x.http?.route == y.http?.route && x.http?.status == y.http?.status
                    && (x.http == nil) == (y.http == nil)
            }
            precondition(same, "a lean parse read other values than the whole parse")
        case (.rejected(let a, let da, _), .rejected(let b, let db, _)):
            precondition(a == b && da == db, "a lean parse rejected a line for another reason")
        case (.blank, .blank), (.rowContinuation, .rowContinuation):
            break
        default:
            preconditionFailure("a lean parse and the whole parse disagree on what a line is")
        }
    }

    private static func filter(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let event = AuditEvent(
            eventID: "e", requestID: "r", start: 0, end: 1_000_000, actor: AuditEvent.Actor(user: "alice"),
            action: "export", entity: AuditEvent.Entity(type: "report", id: "sales"), access: nil,
            outcome: AuditEvent.Outcome(status: 200, result: "success"), api: nil, services: ["a", "b"], records: 2,
            levels: [(.info, 2)], links: [], flags: [], entries: nil)
        if let e = try? FilterParser.parse(text, for: .events) { _ = e.matches(event) }
        // Numbers no `Int` holds among the values (`"NaN"` compared with a status class trapped once).
        let record = RecordSubject(
            time: 0,
            object: .object([
                JSONMember("level", .string("error")), JSONMember("n", .number("3")),
                JSONMember(
                    "fields",
                    .object([
                        JSONMember("x", .string("NaN")), JSONMember("y", .number("1e400")),
                        JSONMember("z", .array([.string("-inf"), .number("1e19")])),
                    ])),
            ]))
        if let r = try? FilterParser.parse(text, for: .records) { _ = r.matches(record) }
        _ = TimeBound.parse(text, now: 0)
        _ = DurationText.parse(text)
    }

    private static func pipeline(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        _ = PipelineLoader.load(text: text, environment: ["HOME": "/root"], workingDirectory: "/nonexistent")
    }

    private static func gzip(_ bytes: [UInt8]) {
        guard let source = try? GzipSource(upstream: MemorySource(bytes), name: "fuzz", prefix: []) else { return }
        var s = source
        var out: [UInt8] = []
        var total = 0
        // 8 MiB of output covers every code path but the bomb cap, which HostileInputTests exercises.
        while total < 8 << 20, let n = try? s.read(into: &out, max: 1 << 16), n > 0 {
            total += n
            out.removeAll(keepingCapacity: true)
        }
        s.close()
    }

    private static func document(_ bytes: [UInt8]) {
        var upstream = MemorySource(bytes)
        if var d = try? JSONDocumentSource(prefix: [], upstream: &upstream, name: "fuzz", maxDepth: 64) {
            var out: [UInt8] = []
            while let n = try? d.read(into: &out, max: 1 << 16), n > 0 {}
        }
        var again = MemorySource(bytes)
        if var c = try? CSVDocumentSource(prefix: [], upstream: &again, name: "fuzz") {
            var out: [UInt8] = []
            while let n = try? c.read(into: &out, max: 1 << 16), n > 0 {}
        }
        _ = StructuredText.parse(.string(String(decoding: bytes, as: UTF8.self)))
    }

    /// Field tables for the patterns target, built once.
    private static let patternRoles = FieldRoleTable(idFields: defaultRequestIDFields, captureFields: ["pid"])

    private static func patterns(_ bytes: [UInt8]) {
        let newline = bytes.firstIndex(of: 10) ?? bytes.count
        let source = String(decoding: bytes[..<newline], as: UTF8.self)
        let rest = newline < bytes.count ? Array(bytes[(newline + 1)...]) : []
        let timestamps = TimestampParser(assumedYear: 2026, yearReference: 1_767_312_000)
        var parsers: [TextPatternParser] = []
        for keep in [false, true] {
            if let p = try? TextPattern(source, definitions: ["FUZZ": "[a-z]+%{INT}"]) {
                parsers.append(
                    TextPatternParser(patterns: [p], roles: patternRoles, timestamps: timestamps, keepExtra: keep))
            }
        }
        let idPattern = try? RequestIDPattern(source)
        let idData = idPattern.map { RegexMatchData(for: $0.regex) }
        for (n, raw) in rest.split(separator: 10, omittingEmptySubsequences: false).enumerated() {
            // Lines reach the patterns as valid UTF-8 (the line screen rejects the rest first).
            var line = String(decoding: raw, as: UTF8.self)
            line.withUTF8 { b in
                let position = SourcePosition(input: 0, line: Int64(n + 1), offset: 0)
                for p in parsers { _ = p.parse(b, position: position, fileService: "fuzz", keepMessage: true) }
            }
            if let idPattern, let idData { _ = idPattern.canonical(line, idData) }
        }
    }
}
