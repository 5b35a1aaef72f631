import Yams

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a pipeline file (YAML) into a `PipelineSpec`, checking every key, type, duration, filter
/// expression, route, link template and output path; every problem is reported with its line and column.
public enum PipelineLoader {
    static let topKeys = [
        "name", "description", "output_root", "inputs", "parse", "correlation", "enrich", "filter", "outputs",
        "tests",
    ]
    static let parseKeys = ["patterns", "grok_definitions", "year", "timezone"]
    static let inputKeys = ["path", "paths", "format", "follow", "checkpoint"]
    static let correlationKeys = [
        "id_fields", "idle", "lateness", "max_open_groups", "max_duration", "max_records", "max_skew", "group_by",
        "window", "include_records", "max_line_bytes", "max_json_depth", "id_pattern",
    ]
    static let enrichKeys = [
        "routes", "methods", "map", "set", "actions", "access", "origins", "users", "links", "redact", "keep",
    ]
    static let routeKeys = ["match", "entity", "id", "action", "access"]
    static let outputKeys = ["type", "path", "columns", "bom", "where", "archive", "retain", "older_than"]
    static let testKeys = ["name", "file", "input", "expect", "events"]

    /// Loads `text`; relative paths are taken against `workingDirectory`, which is also the default output root.
    public static func load(
        text: String, environment: [String: String], workingDirectory: String
    ) -> Result<PipelineSpec, PipelineErrors> {
        var y = YAMLFields(environment: environment)
        // YAML's line breaks (CR LF is one Character, which a split on "\n" would not see).
        y.lines = text.split(omittingEmptySubsequences: false) { YAMLFields.lineBreaks.contains($0) }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                return .failure(
                    PipelineErrors(diagnostics: [
                        PipelineDiagnostic(line: 1, column: 1, message: "the pipeline file is empty")
                    ]))
            }
            root = node
        } catch let error as YamlError {
            return .failure(PipelineErrors(diagnostics: [syntaxDiagnostic(error)]))
        } catch {
            return .failure(PipelineErrors(diagnostics: [PipelineDiagnostic(line: 1, column: 1, message: "\(error)")]))
        }
        var spec = PipelineSpec()
        var outputRoot = OutputRoot(workingDirectory, workingDirectory: workingDirectory)
        let top = y.members(root, allowed: topKeys, in: "the pipeline")
        if let r = top.first(where: { $0.key == "output_root" }), let s = y.string(r.node, "output_root") {
            outputRoot = OutputRoot(s, workingDirectory: workingDirectory)
        }
        var groupKeyFields: [String] = []
        // A syslog timestamp's year comes from its file's modification time unless `parse: year:` pins it.
        spec.options.parse.inferYear = true
        spec.options.parse.assumedYear = UTCTime.civil(days: Int64(time(nil)) / 86_400).year
        for (key, node) in top {
            switch key {
            case "name": spec.name = y.string(node, key)
            case "description", "output_root": _ = y.string(node, key)
            case "inputs": spec.inputs = inputs(node, &y, &spec.options)
            case "parse": parse(node, &y, &spec.options.parse)
            case "correlation": groupKeyFields = correlation(node, &y, &spec.options)
            case "enrich": spec.options.enrichment = enrich(node, &y, workingDirectory: workingDirectory)
            case "filter":
                if let s = y.string(node, key) { spec.options.filter = filter(s, node, key, &y) }
            case "outputs":
                spec.outputs = outputs(node, &y, root: outputRoot, workingDirectory: workingDirectory)
            case "tests": spec.tests = tests(node, &y)
            default: break
            }
        }
        if !top.contains(where: { $0.key == "inputs" }) && y.diagnostics.isEmpty {
            y.fail(root, "the pipeline needs 'inputs' (a list of paths, globs or -)")
        }
        if !top.contains(where: { $0.key == "outputs" }) && y.diagnostics.isEmpty {
            y.fail(root, "the pipeline needs 'outputs' (jsonl, csv, archive, uncorrelated, dead_letter or stats)")
        }
        // Enrichment rules and composite keys read record fields the parser must keep.
        var captures = spec.options.enrichment?.capturedFields ?? []
        for f in groupKeyFields where !captures.contains(f) { captures.append(f) }
        spec.options.parse.captureFields = captures
        spec.options.parse.compositeKey = groupKeyFields.compactMap { captures.firstIndex(of: $0) }
        if spec.inputs.contains(where: \.follow) {
            let eventOutputs = spec.outputs.filter { $0.kind != .deadLetter && $0.kind != .stats }
            if eventOutputs.count != 1 || eventOutputs.first?.kind != .jsonl || eventOutputs.first?.whereFilter != nil
                || eventOutputs.first?.template != nil
            {
                y.fail(
                    root, "a followed input writes to exactly one jsonl file (without 'where' or {field} placeholders)")
            }
        }
        if !y.diagnostics.isEmpty { return .failure(PipelineErrors(diagnostics: y.diagnostics)) }
        return .success(spec)
    }

    static func syntaxDiagnostic(_ error: YamlError) -> PipelineDiagnostic {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let what = context.map { "\($0.text) " } ?? ""
            return PipelineDiagnostic(line: mark.line, column: mark.column, message: "YAML syntax: \(what)\(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return PipelineDiagnostic(
                line: context.mark.line, column: context.mark.column,
                message: "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) in a mapping")
        default:
            return PipelineDiagnostic(line: 1, column: 1, message: "YAML: \(error)")
        }
    }

    static func filter(_ text: String, _ node: Node, _ key: String, _ y: inout YAMLFields) -> FilterExpression? {
        do {
            return try FilterParser.parse(text)
        } catch {
            let quoted = node.scalar.map { $0.style != .plain && $0.style != .any } ?? false
            let column = String(decoding: Array(text.utf8).prefix(error.offset), as: UTF8.self).count
            let mark = node.mark
            y.diagnostics.append(
                PipelineDiagnostic(
                    line: mark?.line ?? 1, column: (mark?.column ?? 1) + (quoted ? 1 : 0) + column,
                    message: "bad filter expression in '\(key)': \(error.message)"))
            return nil
        }
    }

    /// Reads `parse:`: text patterns (regex or grok), the user's grok definitions, a pinned year and the time zone
    /// of times written without an offset.
    static func parse(_ node: Node, _ y: inout YAMLFields, _ options: inout ParseOptions) {
        var definitions: [String: String] = [:]
        var patternNodes: [Node] = []
        var definitionsFailed = false
        for (key, v) in y.members(node, allowed: parseKeys, in: "parse") {
            switch key {
            case "patterns":
                if case .scalar = v {
                    patternNodes = [v]
                } else {
                    patternNodes = y.items(v, key)
                }
            case "grok_definitions":
                guard case .mapping(let m) = v else {
                    y.fail(v, "'grok_definitions' must map grok pattern names to regexes (QUEUE: '[a-z]+-[0-9]+')")
                    continue
                }
                var nodes: [String: Node] = [:]
                for (name, body) in m {
                    guard let n = name.scalar?.string, let b = rawString(body, "grok_definitions", &y) else { continue }
                    definitions[n] = b
                    nodes[n] = body
                }
                for (name, error) in TextPattern.checkDefinitions(definitions) {
                    patternFailure(error, nodes[name], "grok definition '\(name)'", &y)
                    definitionsFailed = true
                }
            case "year":
                if let n = y.positiveInt(v, key) {
                    guard UTCTime.representableYears.contains(n) else {
                        y.fail(
                            v,
                            "'year' must be from \(UTCTime.representableYears.lowerBound) to \(UTCTime.representableYears.upperBound) (times are kept as nanoseconds since 1970); got \(n)"
                        )
                        continue
                    }
                    options.assumedYear = n
                    options.inferYear = false
                }
            case "timezone":
                guard let name = y.string(v, key) else { continue }
                do {
                    options.timeZone = try TimeZoneRules.named(name)
                } catch {
                    y.fail(v, "\(error)")
                }
            default: break
            }
        }
        // Patterns are only compiled with sound definitions (a broken one would be reported again in each).
        for p in patternNodes where !definitionsFailed {
            guard let text = rawString(p, "patterns", &y) else { continue }
            do {
                options.textPatterns.append(try TextPattern(text, definitions: definitions))
            } catch {
                patternFailure(error, p, "text pattern", &y)
            }
        }
    }

    /// A scalar as written (no `${ENV}` expansion: a regex's `$` and braces are its own).
    static func rawString(_ node: Node, _ key: String, _ y: inout YAMLFields) -> String? {
        guard case .scalar(let s) = node else {
            y.fail(node, "'\(key)' must be a string")
            return nil
        }
        return s.string
    }

    /// Reports a bad pattern at its fault (line and column inside the scalar), with the caret lines.
    static func patternFailure(_ error: PatternError, _ node: Node?, _ what: String, _ y: inout YAMLFields) {
        let quoted = node?.scalar.map { $0.style == .singleQuoted || $0.style == .doubleQuoted } ?? false
        let mark = node?.mark
        // A block scalar (`- |`) starts on the line after its indicator, indented.
        if let style = node?.scalar?.style, style == .literal || style == .folded, let mark,
            let at = error.position(inBlockScalarAfter: mark.line, of: y.lines)
        {
            y.diagnostics.append(
                PipelineDiagnostic(line: at.line, column: at.column, message: "bad \(what): \(error.rendered)"))
            return
        }
        y.diagnostics.append(
            PipelineDiagnostic(
                line: mark?.line ?? 1, column: (mark?.column ?? 1) + (quoted ? 1 : 0) + error.column,
                message: "bad \(what): \(error.rendered)"))
    }

    static func inputs(_ node: Node, _ y: inout YAMLFields, _ options: inout PipelineOptions) -> [PipelineSpec.Input] {
        var out: [PipelineSpec.Input] = []
        var pinned: String?
        var standardInput: Node?
        if case .mapping = node {
            y.fail(node, "'inputs' must be a list of paths, or of mappings with \(inputKeys.joined(separator: ", "))")
            return []
        }
        for item in y.items(node, "inputs") {
            if case .scalar = item {
                if let p = y.string(item, "inputs") {
                    out.append(PipelineSpec.Input(paths: [p]))
                    if p == "-" { standardInput = standardInput ?? item }
                }
                continue
            }
            var input = PipelineSpec.Input(paths: [])
            let fields = y.members(item, allowed: inputKeys, in: "an input")
            for (key, v) in fields {
                switch key {
                case "path", "paths":
                    let paths = y.strings(v, key) ?? []
                    input.paths += paths
                    if paths.contains("-") { standardInput = standardInput ?? v }
                case "format":
                    // One parse stage serves every input, so a pinned format is the pipeline's.
                    if let f = y.choice(v, key, InputFormat.allCases.map(\.rawValue)) {
                        if let p = pinned, p != f {
                            y.fail(
                                v,
                                "inputs pin different formats ('\(p)' and '\(f)'); a pipeline reads every input one way (use auto)"
                            )
                        }
                        pinned = f
                        options.parse.format = InputFormat(rawValue: f)!
                    }
                case "follow": input.follow = y.bool(v, key) ?? false
                case "checkpoint": input.checkpoint = y.string(v, key)
                default: break
                }
            }
            if !fields.contains(where: { $0.key == "path" || $0.key == "paths" }) && !fields.isEmpty {
                y.fail(item, "an input needs 'path' (a file, directory, glob or -)")
            }
            out.append(input)
        }
        // A CSV export is read whole from a file (it would be read as JSON lines from stdin).
        if options.parse.format == .csv, let standardInput {
            y.fail(
                standardInput,
                "format csv reads a CSV export whole, from a file, not from stdin; name the file in 'path' (e.g. path: access_log.csv)"
            )
        }
        return out
    }

    /// Reads `correlation:`; returns the composite-key fields of `group_by`, if any.
    static func correlation(_ node: Node, _ y: inout YAMLFields, _ options: inout PipelineOptions) -> [String] {
        var keys: [String] = []
        for (key, v) in y.members(node, allowed: correlationKeys, in: "correlation") {
            switch key {
            case "id_fields": if let f = y.strings(v, key) { options.parse.idFields = f }
            case "id_pattern":
                if let text = rawString(v, key, &y) {
                    do {
                        options.parse.idPattern = try RequestIDPattern(text)
                    } catch {
                        patternFailure(error, v, "id_pattern", &y)
                    }
                }
            case "idle": if let d = y.duration(v, key) { options.correlation.idle = d }
            case "lateness": if let d = y.duration(v, key) { options.correlation.lateness = d }
            case "max_duration": if let d = y.duration(v, key) { options.correlation.maxDuration = d }
            case "max_skew": if let d = y.duration(v, key) { options.correlation.maxSkew = d }
            case "window":
                if let d = y.duration(v, key) {
                    options.correlation.maxDuration = d
                    options.correlation.idle = d
                }
            case "max_open_groups": if let n = y.positiveInt(v, key) { options.correlation.maxOpenGroups = n }
            case "max_records": if let n = y.positiveInt(v, key) { options.correlation.maxRecords = n }
            case "max_line_bytes": if let n = y.positiveInt(v, key) { options.parse.maxLineBytes = n }
            case "max_json_depth":
                if let n = y.positiveInt(v, key) {
                    if n > ParseOptions.maxJSONDepthLimit {
                        y.fail(v, "'max_json_depth' must be at most \(ParseOptions.maxJSONDepthLimit); got \(n)")
                    } else {
                        options.parse.maxJSONDepth = n
                    }
                }
            case "include_records":
                if let b = y.bool(v, key) {
                    options.parse.includeRecords = b
                    options.correlation.includeRecords = b
                }
            case "group_by":
                if case .scalar = v {
                    switch y.string(v, key) {
                    case "request_id"?: break
                    case "record"?: options.correlation.oneEventPerRecord = true
                    case let s?: keys = [s]
                    case nil: break
                    }
                } else if let fields = y.strings(v, key) {
                    keys = fields
                }
            default: break
            }
        }
        // `fields.NAME` (as filters on records write it) is the record field NAME, as in `enrich: map:`.
        return keys.map { $0.hasPrefix("fields.") ? String($0.dropFirst("fields.".count)) : $0 }
    }

    static func enrich(_ node: Node, _ y: inout YAMLFields, workingDirectory: String) -> EnrichmentRules {
        var rules = EnrichmentRules()
        let targets = EventTarget.allCases.map(\.rawValue)
        for (key, v) in y.members(node, allowed: enrichKeys, in: "enrich") {
            switch key {
            case "routes":
                for item in y.items(v, key) {
                    var pattern: RoutePattern?
                    var fields: [String: String] = [:]
                    let members = y.members(item, allowed: routeKeys, in: "a route")
                    for (rk, rv) in members {
                        guard let s = y.string(rv, rk) else { continue }
                        if rk == "match" {
                            do { pattern = try RoutePattern(s) } catch { y.fail(rv, error.message) }
                        } else {
                            fields[rk] = s
                        }
                    }
                    if !members.contains(where: { $0.key == "match" }) && !members.isEmpty {
                        y.fail(item, "a route needs 'match' (like 'POST /api/v1/pipelines/{id}/run')")
                    }
                    if var p = pattern {
                        p.entityType = fields["entity"]
                        p.entityID = fields["id"]
                        p.action = fields["action"]
                        p.accessKind = fields["access"]
                        rules.routes.append(p)
                    }
                }
            case "methods":
                let methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
                for (m, mv) in y.members(v, allowed: methods, in: "methods") {
                    if let a = y.string(mv, m) { rules.methodActions[m] = a }
                }
            case "map":
                for (t, tv) in y.members(v, allowed: targets, in: "map (event field: record field)") {
                    if let f = y.string(tv, t) {
                        // `fields.NAME` (as filters on records write it) is the record field NAME.
                        let field = f.hasPrefix("fields.") ? String(f.dropFirst("fields.".count)) : f
                        rules.fieldMap.append(.init(target: EventTarget(rawValue: t)!, field: field))
                    }
                }
            case "set":
                for (t, tv) in y.members(v, allowed: targets, in: "set (event field: value)") {
                    if let s = y.string(tv, t) {
                        rules.constants.append(.init(target: EventTarget(rawValue: t)!, value: s))
                    }
                }
            case "actions":
                var field: String?
                var values: [String: String] = [:]
                for (ak, av) in y.members(v, allowed: ["field", "values"], in: "actions") {
                    if ak == "field" {
                        field = y.string(av, ak)
                    } else if case .mapping(let m) = av {
                        for (code, action) in m {
                            if let c = code.scalar?.string, let a = y.string(action, "values") { values[c] = a }
                        }
                    } else {
                        y.fail(av, "'values' must map record values to actions (\"21\": download)")
                    }
                }
                if let field {
                    rules.actionCodes = .init(field: field, values: values)
                } else {
                    y.fail(v, "'actions' needs 'field'")
                }
            case "access":
                if let a = y.choice(v, key, EnrichmentRules.AccessProfile.allCases.map(\.rawValue)) {
                    rules.accessProfile = EnrichmentRules.AccessProfile(rawValue: a)
                }
            case "origins":
                for item in y.items(v, key) {
                    var match: String?
                    var origin: String?
                    for (ok, ov) in y.members(item, allowed: ["match", "origin"], in: "an origin rule") {
                        if ok == "match" {
                            match = y.string(ov, ok)
                        } else {
                            origin = y.choice(ov, ok, ["ui", "cli", "api", "webhook", "system"])
                        }
                    }
                    if let match, let origin {
                        rules.origins.append(.init(pattern: GlobPattern(match.lowercased()), origin: origin))
                    }
                }
            case "users":
                var file: String?
                var keyField = UserDirectory.Key.user
                for (uk, uv) in y.members(v, allowed: ["file", "key"], in: "users") {
                    if uk == "file" {
                        file = y.string(uv, uk)
                    } else if let k = y.choice(uv, uk, UserDirectory.Key.allCases.map(\.rawValue)) {
                        keyField = UserDirectory.Key(rawValue: k)!
                    }
                }
                if let file {
                    let path = file.hasPrefix("/") ? file : workingDirectory + "/" + file
                    do { rules.users = try UserDirectory(path: path, key: keyField) } catch { y.fail(v, error.message) }
                } else {
                    y.fail(v, "'users' needs 'file' (a CSV or JSON user directory)")
                }
            case "links":
                guard case .mapping(let m) = v else {
                    y.fail(v, "'links' must map link names to templates")
                    continue
                }
                for (name, template) in m {
                    guard let n = name.scalar?.string, let t = y.string(template, "links") else { continue }
                    do {
                        let link = try LinkTemplate(name: n, template: t)
                        for f in link.fields {
                            let head = String(f.split(separator: ".").first ?? "")
                            if !FieldCatalog.eventRoots.contains(head) {
                                y.fail(
                                    template,
                                    YAMLFields.unknown(
                                        head, allowed: FieldCatalog.eventRoots, what: "event field", in: "link '\(n)'"))
                            }
                        }
                        rules.links.append(link)
                    } catch {
                        y.fail(template, error.message)
                    }
                }
            case "redact": rules.redactKeys = y.strings(v, key) ?? []
            case "keep": rules.keepKeys = y.strings(v, key) ?? []
            default: break
            }
        }
        return rules
    }

    static func outputs(_ node: Node, _ y: inout YAMLFields, root: OutputRoot, workingDirectory: String)
        -> [PipelineSpec.Output]
    {
        var out: [PipelineSpec.Output] = []
        for item in y.items(node, "outputs") {
            var kind: PipelineSpec.OutputKind?
            var output = PipelineSpec.Output(kind: .jsonl, path: "")
            var pathNode: Node?
            var pathRead = false
            let members = y.members(item, allowed: outputKeys, in: "an output")
            for (key, v) in members {
                switch key {
                case "type":
                    if let t = y.choice(v, key, PipelineSpec.OutputKind.allCases.map(\.rawValue)) {
                        kind = PipelineSpec.OutputKind(rawValue: t)
                    }
                case "path":
                    pathNode = v
                    let path = y.string(v, key)
                    pathRead = path != nil
                    output.path = path ?? ""
                case "columns":
                    output.columns = y.strings(v, key, commaSeparated: true)
                    for c in output.columns ?? [] {
                        if let problem = EventSchema.problem(with: c) { y.fail(v, "columns: \(problem)") }
                    }
                case "bom": output.bom = y.bool(v, key) ?? false
                case "where":
                    if let s = y.string(v, key) {
                        output.whereText = s
                        output.whereFilter = filter(s, v, key, &y)
                    }
                case "archive": output.archiveDirectory = y.string(v, key)
                case "retain": output.retain = y.duration(v, key)
                case "older_than": if let d = y.duration(v, key) { output.olderThan = d }
                default: break
                }
            }
            guard !members.isEmpty else { continue }
            guard let kind else {
                if !members.contains(where: { $0.key == "type" }) {
                    y.fail(
                        item,
                        "an output needs 'type' (\(PipelineSpec.OutputKind.allCases.map(\.rawValue).joined(separator: ", ")))"
                    )
                }
                continue
            }
            output.kind = kind
            if output.path.isEmpty {
                if pathNode == nil { y.fail(item, "a \(kind.rawValue) output needs 'path'") }
                // Read as empty (`""`, or `${OUT}` set to nothing): the output was dropped in silence, nothing
                // written (a new-user trial). One that could not be read was reported already.
                if pathRead { y.fail(pathNode, "a \(kind.rawValue) output's 'path' is empty") }
                continue
            }
            if PathTemplate.isTemplate(output.path) {
                if kind != .jsonl {
                    y.fail(pathNode, "only a jsonl output's path may hold {field} placeholders")
                } else {
                    do { output.template = try PathTemplate(output.path) } catch { y.fail(pathNode, error.message) }
                }
            }
            if output.path != "-" && root.resolve(output.path, workingDirectory: workingDirectory) == nil {
                y.fail(
                    pathNode,
                    "output path '\(output.path)' is outside the allowed root '\(root.path)' (set output_root to allow it)"
                )
            }
            if let a = output.archiveDirectory, root.resolve(a, workingDirectory: workingDirectory) == nil {
                y.fail(item, "archive directory '\(a)' is outside the allowed root '\(root.path)'")
            }
            if kind == .archive && output.archiveDirectory == nil {
                y.fail(item, "an archive output needs 'archive' (the directory for gzip archives and manifests)")
            }
            if kind != .csv && output.columns != nil { y.fail(item, "'columns' applies to csv outputs only") }
            if (kind == .deadLetter || kind == .stats) && output.whereFilter != nil {
                y.fail(item, "'where' selects events; a \(kind.rawValue) output has none")
            }
            out.append(output)
        }
        return out
    }

    static func tests(_ node: Node, _ y: inout YAMLFields) -> [PipelineSpec.TestCase] {
        var out: [PipelineSpec.TestCase] = []
        for (i, item) in y.items(node, "tests").enumerated() {
            var t = PipelineSpec.TestCase(name: "test \(i + 1)", line: item.mark?.line ?? 1, input: [], expect: [])
            for (key, v) in y.members(item, allowed: testKeys, in: "a test") {
                switch key {
                case "name": t.name = y.string(v, key) ?? t.name
                case "file":
                    if let f = y.string(v, key) {
                        if f.isEmpty || f.contains("/") || f.hasPrefix(".") {
                            y.fail(v, "'file' is a plain file name (it names the service), like nova-api.log")
                        } else {
                            t.file = f
                        }
                    }
                case "input":
                    if case .scalar = v {
                        t.input = (y.string(v, key) ?? "").split(separator: "\n", omittingEmptySubsequences: false).map(
                            String.init)
                        if t.input.last == "" { t.input.removeLast() }
                    } else {
                        t.input = y.strings(v, key) ?? []
                    }
                case "events": t.events = y.positiveInt(v, key)
                case "expect":
                    for e in y.items(v, key) {
                        guard case .mapping(let m) = e else {
                            y.fail(e, "each 'expect' entry maps event fields to values (action: export)")
                            continue
                        }
                        var fields: [(String, JSONValue)] = []
                        for (fk, fv) in m {
                            guard let f = fk.scalar?.string else { continue }
                            let head = String(f.split(separator: ".").first ?? "")
                            if !FieldCatalog.eventRoots.contains(head) && FieldCatalog.eventShorthands[head] == nil {
                                y.fail(
                                    fk,
                                    YAMLFields.unknown(
                                        head, allowed: FieldCatalog.eventRoots, what: "event field", in: "expect"))
                                continue
                            }
                            fields.append((f, expected(fv)))
                        }
                        t.expect.append(fields)
                    }
                default: break
                }
            }
            out.append(t)
        }
        return out
    }

    /// A YAML value as the JSON value an event field is compared with.
    static func expected(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let s):
            if s.style == .plain {
                switch s.string {
                case "null", "~", "": return .null
                case "true": return .bool(true)
                case "false": return .bool(false)
                default: if Double(s.string) != nil { return .number(s.string) }
                }
            }
            return .string(s.string)
        case .sequence(let seq): return .array(seq.map(expected))
        case .mapping(let m): return .object(m.map { JSONMember($0.key.scalar?.string ?? "", expected($0.value)) })
        case .alias: return .null
        }
    }
}
