#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Parses one line in the configured format (or detects it per line) into a `ParsedLine`.
struct LineParser {
    let format: InputFormat
    /// Keep every record's message (errors' are always kept); off, with `keepExtra`, for a lean parse.
    private(set) var keepMessage: Bool
    /// Keep the fields no role reads (`LogRecord.extra`); off for a line the extras gate parses lean.
    private var keepExtra: Bool
    private var json: JSONLineParser
    private var logfmt: LogfmtParser
    /// The JSON and logfmt lines' collector, kept and cleared after each line rather than made anew for it.
    private var collector = FieldCollector()
    private let openstack: OpenStackParser
    private let access: AccessLogParser
    private let plain: PlainTextParser
    private var syslog: SyslogParser
    private var patterns: TextPatternParser
    private let idPattern: (pattern: RequestIDPattern, data: RegexMatchData)?
    private let headerIDNames: [String]
    private let compositeKey: [Int]
    /// `filter --records`: parses a line without its extra fields first (`ParseOptions.extrasFor`).
    private var gate: ExtrasGate?
    /// The roles that lean parse reads: the time and what the filter's settled paths are made of.
    private var leanRoles = RoleMask.all

    init(options: ParseOptions) {
        format = options.format
        keepMessage = options.includeRecords
        keepExtra = options.includeRecords
        let roles = FieldRoleTable(idFields: options.idFields, captureFields: options.captureFields)
        // One table of recent field values for this parser's JSON and logfmt lines (a parser is one worker's own).
        let recent = RecentStrings()
        let ts = TimestampParser(
            assumedYear: options.assumedYear, yearReference: options.yearReference, timeZone: options.timeZone)
        patterns = TextPatternParser(
            patterns: options.textPatterns, roles: roles, timestamps: ts, keepExtra: options.includeRecords)
        idPattern = options.idPattern.map { ($0, RegexMatchData(for: $0.regex)) }
        json = JSONLineParser(
            roles: roles, timestamps: ts, maxDepth: options.maxJSONDepth, keepExtra: options.includeRecords,
            recent: recent)
        logfmt = LogfmtParser(roles: roles, timestamps: ts, keepExtra: options.includeRecords, recent: recent)
        openstack = OpenStackParser(timestamps: ts)
        access = AccessLogParser(timestamps: ts)
        plain = PlainTextParser(roles: roles, timestamps: ts)
        syslog = SyslogParser(roles: roles, timestamps: ts, keepExtra: options.includeRecords)
        headerIDNames = roles.headerIDNames
        compositeKey = options.compositeKey
        if options.includeRecords, let filter = options.extrasFor, filter.canBeRuledOutWhenParsed {
            gate = ExtrasGate(filter)
            leanRoles = filter.leanRoles
            if !leanRoles.isAll { json.keptContainers = roles.containers(holding: leanRoles) }
        }
    }

    /// The group key of a record without a request id: its composite-key values joined by ` | `, or nil
    /// when one is missing (the record stays uncorrelated).
    static func compositeID(_ captured: [JSONValue?]?, _ key: [Int]) -> String? {
        guard let captured else { return nil }
        var parts: [String] = []
        for i in key {
            guard let v = captured[i]?.scalarText, !v.isEmpty else { return nil }
            parts.append(v)
        }
        return parts.joined(separator: " | ")
    }

    /// Parses one line alone.
    mutating func parse(_ raw: UnsafeBufferPointer<UInt8>, position: SourcePosition, fileService: String?) -> ParsedLine
    {
        var one = ParsedBatch(capacity: 1)
        parse(raw, position: position, fileService: fileService, into: &one)
        return one.firstLine
    }

    /// Parses one line and adds its outcome (and record) to `batch`: a record is made where it is kept, not
    /// returned through each parse step (a `ParsedLine` returned was copied about ten times a line).
    mutating func parse(
        _ raw: UnsafeBufferPointer<UInt8>, position: SourcePosition, fileService: String?,
        into batch: inout ParsedBatch
    ) {
        guard var g = gate else { return parseOnce(raw, position: position, fileService: fileService, into: &batch) }
        gate = nil
        defer { gate = g }
        if g.parsesLean {
            setLean(true)
            parseOnce(raw, position: position, fileService: fileService, into: &batch)
            setLean(false)
            switch batch.outcomes.last {
            case .record?:
                if Self.lastCannotMatch(batch.records, g) {
                    batch.records[batch.records.count - 1].notes.ruledOut = true
                    g.count(kept: false)
                    return
                }
                g.count(kept: true)
                batch.records.removeLast()
                batch.outcomes.removeLast()
            case .rejected?:
                // The whole parse says why (the lean one rejects the same lines; `ExtrasGateTests`).
                batch.outcomes.removeLast()
            default:
                return
            }
            return parseOnce(raw, position: position, fileService: fileService, into: &batch)
        }
        parseOnce(raw, position: position, fileService: fileService, into: &batch)
        if case .record? = batch.outcomes.last {
            let ruledOut = Self.lastCannotMatch(batch.records, g)
            if ruledOut { batch.records[batch.records.count - 1].notes.ruledOut = true }
            g.count(kept: !ruledOut)
        }
    }

    /// True when `gate` rules out the last of `records`, read where it lies (`records[records.count - 1]` made a
    /// copy of the record, a retain and a release of each of its fields, for every record of `filter --records`).
    private static func lastCannotMatch(_ records: [LogRecord], _ gate: ExtrasGate) -> Bool {
        records.withUnsafeBufferPointer { gate.cannotMatch($0.baseAddress! + ($0.count - 1)) }
    }

    /// The lean parse of a line alone, as `parse` makes it before the filter's verdict (a parser with a gate;
    /// the tests and the `lines` fuzz target compare it with the whole parse).
    mutating func parseLean(_ raw: UnsafeBufferPointer<UInt8>, position: SourcePosition, fileService: String?)
        -> ParsedLine
    {
        setLean(true)
        defer { setLean(false) }
        var one = ParsedBatch(capacity: 1)
        parseOnce(raw, position: position, fileService: fileService, into: &one)
        return one.firstLine
    }

    /// A lean parse keeps neither the message nor the extra fields, and of a JSON or logfmt line reads only the
    /// roles the filter's settled paths are made of and the time: a record it makes is one the filter drops, so
    /// only what rules the filter out and what the joiner reads (time, notes, continuation hints) matter.
    private mutating func setLean(_ lean: Bool) {
        keepMessage = !lean
        keepExtra = !lean
        json.keeps = lean ? leanRoles : .all
        logfmt.keeps = lean ? leanRoles : .all
        json.keepExtra = !lean
        logfmt.keepExtra = !lean
        syslog.keepExtra = !lean
        patterns.keepExtra = !lean
    }

    /// One parse of a line, its request id canonicalized by `--id-pattern`.
    private mutating func parseOnce(
        _ raw: UnsafeBufferPointer<UInt8>, position: SourcePosition, fileService: String?,
        into batch: inout ParsedBatch
    ) {
        let records = batch.records.count
        parseLine(raw, position: position, fileService: fileService, into: &batch)
        guard let idPattern, batch.records.count > records, let id = batch.records[records].requestID else { return }
        batch.records[records].requestID = idPattern.pattern.canonical(id, idPattern.data)
    }

    private mutating func parseLine(
        _ raw: UnsafeBufferPointer<UInt8>, position: SourcePosition, fileService: String?,
        into batch: inout ParsedBatch
    ) {
        var b = raw
        if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { b = UnsafeBufferPointer(rebasing: b[3...]) }
        var lead = 0
        while lead < b.count, b[lead] == 32 || b[lead] == 9 { lead += 1 }
        if lead == b.count { return batch.append(.blank) }
        switch Self.screen(b) {
        case .clean: break
        case .control(let i):
            if i == 0, b.elementsEqual(CSVDocumentSource.continuedRowMarker) { return batch.append(.rowContinuation) }
            if i == 0, b.starts(with: CSVDocumentSource.rejectedRowMarker) {
                return batch.append(
                    .rejected(.invalidCSV, detail: CSVDocumentSource.rejectedRow(b).reason, hint: .none))
            }
            if i == 0, b.starts(with: JSONDocumentSource.rejectedRecordMarker) {
                return batch.append(
                    .rejected(.invalidJSON, detail: JSONDocumentSource.rejectedRecord(b).reason, hint: .none))
            }
            if b[i] == 13 {
                return batch.append(
                    .rejected(
                        .binary,
                        detail: "lone carriage return (CR without LF) at column \(i + 1): lines end with LF or CRLF",
                        hint: .none))
            }
            return batch.append(
                .rejected(
                    .binary, detail: "control byte 0x\(String(b[i], radix: 16)) at column \(i + 1)", hint: .none))
        case .nonASCII:
            if let bad = Self.firstInvalidUTF8(b) {
                return batch.append(.rejected(.invalidUTF8, detail: "invalid UTF-8 at column \(bad + 1)", hint: .none))
            }
        }
        let first = b[lead]
        let position = position
        // The user's patterns come before the built-in text parsers (JSON lines and documents stay JSON).
        if !patterns.isEmpty, format != .json, format != .csv, !(format == .auto && first == UInt8(ascii: "{")),
            var r = patterns.parse(b, position: position, fileService: fileService, keepMessage: keepMessage)
        {
            if r.requestID == nil && !compositeKey.isEmpty { r.requestID = Self.compositeID(r.captured, compositeKey) }
            // A pattern that captures no id leaves the built-in ones in the text (`request_id=…`, `req-<uuid>`).
            if r.requestID == nil { r.requestID = plain.requestID(in: b) }
            return batch.append(r, hint: .none, timestampedText: r.timeKnown)
        }
        switch format {
        case .json, .csv:
            if first == UInt8(ascii: "{") {
                return parseJSON(b, position, fileService, indented: lead > 0, into: &batch)
            }
            return strongOrReject(b, position, fileService, .invalidJSON, "not a JSON object", into: &batch)
        case .logfmt:
            return parseLogfmt(b, position, fileService, into: &batch)
        case .access:
            if let r = access.parse(b, position: position, fileService: fileService, keepMessage: keepMessage) {
                return batch.append(r, hint: .none, timestampedText: false)
            }
            return batch.append(.rejected(.unrecognized, detail: "not a common/combined access log line", hint: .none))
        case .openstack:
            if let r = openstack.parse(b, position: position, fileService: fileService, keepMessage: keepMessage) {
                return batch.append(r, hint: .none, timestampedText: true)
            }
            return parsePlain(b, position, fileService, into: &batch)
        case .text:
            return parsePlain(b, position, fileService, into: &batch)
        case .syslog:
            if let r = syslog.parse(b, position: position, fileService: fileService, keepMessage: keepMessage) {
                return batch.append(r, hint: .none, timestampedText: true)
            }
            // A line that starts as syslog (`<`) or as JSON is a dead letter, never a continuation line (README,
            // "continuation lines"): a bad priority, version or structured data must not vanish into the record above.
            let startsAsSyslog = b.first == UInt8(ascii: "<")
            let detail =
                startsAsSyslog || SyslogParser.looksLikeSyslog(b)
                ? SyslogParser.malformed : "not an RFC 5424 or RFC 3164 syslog line (<PRI>…)"
            return batch.append(
                .rejected(
                    .unrecognized, detail: detail, hint: b.first == UInt8(ascii: "{") || startsAsSyslog ? .none : .weak)
            )
        case .auto:
            if first == UInt8(ascii: "{") {
                return parseJSON(b, position, fileService, indented: lead > 0, into: &batch)
            }
            if lead > 0 { return parsePlain(b, position, fileService, into: &batch) }
            if first == UInt8(ascii: "<"), SyslogParser.looksLikeSyslog(b) {
                if let r = syslog.parse(b, position: position, fileService: fileService, keepMessage: keepMessage) {
                    return batch.append(r, hint: .none, timestampedText: true)
                }
                return batch.append(.rejected(.unrecognized, detail: SyslogParser.malformed, hint: .none))
            }
            if let r = openstack.parse(b, position: position, fileService: fileService, keepMessage: keepMessage) {
                return batch.append(r, hint: .none, timestampedText: true)
            }
            if let r = access.parse(b, position: position, fileService: fileService, keepMessage: keepMessage) {
                return batch.append(r, hint: .none, timestampedText: false)
            }
            if LogfmtParser.looksLikeLogfmt(b) { return parseLogfmt(b, position, fileService, into: &batch) }
            return parsePlain(b, position, fileService, into: &batch)
        }
    }

    /// `indented`: the `{` is after leading blanks (a pretty-printed block under a text record).
    private mutating func parseJSON(
        _ b: UnsafeBufferPointer<UInt8>, _ p: SourcePosition, _ svc: String?, indented: Bool = false,
        into batch: inout ParsedBatch
    ) {
        defer { collector.clear() }
        do {
            try json.parse(b, into: &collector)
        } catch {
            // A line that starts as JSON at column 0 is a record of its own or a dead letter, never a continuation
            // line: a JSON record cut short after a stack trace must not vanish into the trace. An indented one
            // (`    {` opening a pretty-printed payload) is a continuation like any indented line.
            return batch.append(
                .rejected(
                    .invalidJSON, detail: "\(error.reason) at column \(error.column + 1)",
                    hint: indented ? .strong : .none))
        }
        return batch.append(
            collector.build(
                position: p, inheritedTime: 0, service: svc, keepMessage: keepMessage, keepExtra: keepExtra,
                headerIDNames: headerIDNames, compositeKey: compositeKey), hint: .none, timestampedText: false)
    }

    private mutating func parseLogfmt(
        _ b: UnsafeBufferPointer<UInt8>, _ p: SourcePosition, _ svc: String?, into batch: inout ParsedBatch
    ) {
        defer { collector.clear() }
        do {
            try logfmt.parse(b, into: &collector)
        } catch {
            return batch.append(
                .rejected(.invalidLogfmt, detail: "\(error.reason) at column \(error.column + 1)", hint: .weak))
        }
        return batch.append(
            collector.build(
                position: p, inheritedTime: 0, service: svc, keepMessage: keepMessage, keepExtra: keepExtra,
                headerIDNames: headerIDNames, compositeKey: compositeKey), hint: .none, timestampedText: false)
    }

    private func parsePlain(
        _ b: UnsafeBufferPointer<UInt8>, _ p: SourcePosition, _ svc: String?, into batch: inout ParsedBatch
    ) {
        let (r, timestamped) = plain.parse(b, position: p, inheritedTime: 0, fileService: svc, keepMessage: keepMessage)
        let hint: ContinuationHint = timestamped ? .none : ContinuationHint.forUntimestampedText(b)
        return batch.append(r, hint: hint, timestampedText: timestamped)
    }

    private func strongOrReject(
        _ b: UnsafeBufferPointer<UInt8>, _ p: SourcePosition, _ svc: String?, _ reason: DeadLetterReason,
        _ detail: String, into batch: inout ParsedBatch
    ) {
        if ContinuationHint.forUntimestampedText(b) == .strong { return parsePlain(b, p, svc, into: &batch) }
        return batch.append(.rejected(reason, detail: detail, hint: .none))
    }

    /// What a line's bytes hold besides printable ASCII.
    enum Screen { case clean, control(Int), nonASCII }

    /// Finds the first control byte (tab allowed) and notes non-ASCII bytes, eight bytes at a time.
    static func screen(_ b: UnsafeBufferPointer<UInt8>) -> Screen {
        let n = b.count
        var i = 0
        var ascii = true
        if let base = b.baseAddress {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            // Words with no byte < 0x20 and none >= 0x80 are skipped, four at a time while they are clean (one
            // branch per 32 bytes); others are checked byte by byte.
            let raw = UnsafeRawPointer(base)
            while i + 32 <= n {
                let w0 = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                let w1 = raw.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
                let w2 = raw.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)
                let w3 = raw.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)
                let flagged =
                    ((w0 &- ones &* 0x20) | w0) | ((w1 &- ones &* 0x20) | w1) | ((w2 &- ones &* 0x20) | w2)
                    | ((w3 &- ones &* 0x20) | w3)
                guard flagged & highs == 0 else { break }
                i += 32
            }
            while i + 8 <= n {
                let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                if ((w &- ones &* 0x20) | w) & highs == 0 {
                    i += 8
                    continue
                }
                for k in i..<(i + 8) {
                    if b[k] < 0x20 && b[k] != 0x09 { return .control(k) }
                    if b[k] >= 0x80 { ascii = false }
                }
                i += 8
            }
            // The last one to seven bytes: the line's last eight read as one word (those before them were
            // looked at already), checked byte by byte only when it is not clean.
            if i < n, n >= 8 {
                let w = raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
                if ((w &- ones &* 0x20) | w) & highs == 0 { i = n }
            }
        }
        while i < n {
            if b[i] < 0x20 && b[i] != 0x09 { return .control(i) }
            if b[i] >= 0x80 { ascii = false }
            i += 1
        }
        return ascii ? .clean : .nonASCII
    }

    /// Index of the first byte that breaks UTF-8, or nil when the bytes are valid.
    static func firstInvalidUTF8(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c < 0x80 {
                i += 1
                continue
            }
            let len: Int
            var minScalar: UInt32
            var scalar: UInt32
            switch c {
            case 0xC2...0xDF: (len, minScalar, scalar) = (2, 0x80, UInt32(c & 0x1F))
            case 0xE0...0xEF: (len, minScalar, scalar) = (3, 0x800, UInt32(c & 0x0F))
            case 0xF0...0xF4: (len, minScalar, scalar) = (4, 0x10000, UInt32(c & 0x07))
            default: return i
            }
            guard i + len <= n else { return i }
            for k in 1..<len {
                let cc = b[i + k]
                guard cc & 0xC0 == 0x80 else { return i }
                scalar = scalar << 6 | UInt32(cc & 0x3F)
            }
            if scalar < minScalar || scalar > 0x10FFFF || (scalar >= 0xD800 && scalar <= 0xDFFF) { return i }
            _ = minScalar
            minScalar = 0
            i += len
        }
        return nil
    }
}

/// Settings of the parse stage.
public struct ParseOptions: Sendable {
    /// Pinned format, or `.auto`.
    public var format: InputFormat = .auto
    /// Request-id fields, first match wins.
    public var idFields: [String] = defaultRequestIDFields
    /// Keep messages and other fields so events can embed their records.
    public var includeRecords = false
    /// Year assumed for syslog timestamps (when `inferYear` is off, or an input has no modification time).
    public var assumedYear = 1970
    /// Infer a syslog timestamp's year from its file's modification time (`TimestampParser.yearReference`).
    public var inferYear = false
    /// The reference time the year is inferred from (set per input by `resolvingYear(for:)`).
    public var yearReference: Int64?
    /// For an input with no end (standard input, a followed file): the time (UTC seconds) its first yearless
    /// time is at or before; later ones roll forward at New Year (set by `resolvingYear(for:streaming:)`).
    var yearAnchor: Int64?
    /// The zone of times written without an offset (syslog, ctime, ISO 8601 without one); nil is UTC.
    public var timeZone: TimeZoneRules?
    /// User text patterns, tried in order before the built-in text parsers.
    public var textPatterns: [TextPattern] = []
    /// Canonicalizes every extracted request id (`--id-pattern`).
    public var idPattern: RequestIDPattern?
    /// Deepest JSON nesting accepted (at most `maxJSONDepthLimit`; a larger value is taken as that).
    public var maxJSONDepth = 64 {
        didSet { if maxJSONDepth > Self.maxJSONDepthLimit { maxJSONDepth = Self.maxJSONDepthLimit } }
    }
    /// The deepest `maxJSONDepth` there is: the JSON parse descends one call per level, and a line of a million
    /// `[` must be a dead letter, not the end of a worker's stack (100,000 levels were).
    public static let maxJSONDepthLimit = 1024
    /// Lines longer than this are dead-lettered as `line_too_long`.
    public var maxLineBytes = 1 << 20
    /// Record fields kept for enrichment rules (dotted paths), in capture-index order.
    public var captureFields: [String] = []
    /// Capture indexes whose values, together, group records that carry no request id (a composite key).
    public var compositeKey: [Int] = []
    /// With `includeRecords`, for `filter --records`: the filter the records are written by. A line is parsed
    /// without its extra fields (`fields`) first, and again with them only when the fields it has then do not
    /// rule the filter out (`FilterExpression.verdict(parsed:)`): the records the filter drops cost no extras.
    /// Set only by the pipeline, to its record filter (a record parsed lean must be one that filter drops);
    /// tests set `.constant(true)`, which no parse rules out, to read every line whole.
    var extrasFor: FilterExpression?
    /// Refuse a file whose first 64 KiB are not text (an executable, an image) as an input error instead of
    /// reading it as lines that are all dead letters.
    public var refuseBinary = true

    /// Creates default options.
    public init() {}

    /// The timestamp parser these options give (the joiner's year roll reads the same wall clock).
    var timestamps: TimestampParser {
        TimestampParser(assumedYear: assumedYear, yearReference: yearReference, timeZone: timeZone)
    }

    /// These options for one input: with `inferYear`, the year reference is the file's modification time.
    /// Standard input, a followed file (`streaming`), a pipe or device named by its path, or a file that cannot
    /// be read has no end to count back from: its first yearless time takes the year that puts it at or before the current time
    /// (`yearAnchor`), and later ones roll forward at New Year.
    public func resolvingYear(for spec: InputSpec, streaming: Bool = false) -> ParseOptions {
        guard inferYear else { return self }
        var o = self
        var st = stat()
        // Only a regular file has an end to count back from and can be read twice: a pipe named by its path
        // (`/dev/stdin`, a FIFO) read for a first pass lost what that pass read.
        if !streaming, !spec.isStandardInput, stat(spec.path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG {
            o.yearReference = Int64(st.st_mtim.tv_sec)
        } else {
            let now = Int64(time(nil))
            o.yearReference = nil
            o.yearAnchor = now
            let local = now + Int64(timeZone?.offset(atUTC: now) ?? 0)
            o.assumedYear = UTCTime.civil(days: local.quotientAndRemainderFlooring(dividingBy: 86_400).0).year
        }
        return o
    }
}
