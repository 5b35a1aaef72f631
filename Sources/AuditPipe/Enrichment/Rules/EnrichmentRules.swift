/// A pipeline's `enrich:` rules, applied to each event after the built-in enrichment (DESIGN.md
/// "Enrichment"): route patterns, HTTP-method defaults, record fields mapped onto event fields, a field
/// whose values name the action (Pydio's `MsgId`), constants, Frappe's access classification, origin by
/// user agent, a user directory join and link templates. Extra redaction keys and a keep list go to the
/// `Redactor`.
public struct EnrichmentRules: Sendable {
    /// Route patterns, first match wins.
    public var routes: [RoutePattern] = []
    /// Action per HTTP method, replacing the defaults (GET view, POST create, PUT/PATCH update, DELETE delete).
    public var methodActions: [String: String] = [:]
    /// Record fields copied onto event fields (the best-ranked record with the field wins).
    public var fieldMap: [FieldRule] = []
    /// A record field whose values map to actions.
    public var actionCodes: ActionCodes?
    /// Constant event fields.
    public var constants: [ConstantRule] = []
    /// Classify data access the way a known product logs it.
    public var accessProfile: AccessProfile?
    /// Origin by user-agent glob, first match wins, ahead of the built-in classification.
    public var origins: [OriginRule] = []
    /// People joined onto the actor.
    public var users: UserDirectory?
    /// Links added to each event.
    public var links: [LinkTemplate] = []
    /// Keys redacted besides the defaults.
    public var redactKeys: [String] = []
    /// Keys never redacted, even when they look sensitive (`token_type`).
    public var keepKeys: [String] = []

    /// Copies a record field onto an event field.
    public struct FieldRule: Sendable, Equatable {
        public var target: EventTarget
        public var field: String
        public init(target: EventTarget, field: String) {
            self.target = target
            self.field = field
        }
    }

    /// Sets an event field to a constant.
    public struct ConstantRule: Sendable, Equatable {
        public var target: EventTarget
        public var value: String
        public init(target: EventTarget, value: String) {
            self.target = target
            self.value = value
        }
    }

    /// A field whose value names the action: `MsgId` `21` → `download`.
    public struct ActionCodes: Sendable, Equatable {
        public var field: String
        public var values: [String: String]
        public init(field: String, values: [String: String]) {
            self.field = field
            self.values = values
        }
    }

    /// A user-agent glob and the origin it means.
    public struct OriginRule: Sendable, Equatable {
        public var pattern: GlobPattern
        public var origin: String
        public init(pattern: GlobPattern, origin: String) {
            self.pattern = pattern
            self.origin = origin
        }
    }

    /// Products whose access records auditpipe classifies.
    public enum AccessProfile: String, Sendable, CaseIterable {
        /// Frappe's Access Log: prints, report and data exports, private file and backup downloads.
        case frappe
    }

    /// Creates empty rules.
    public init() {}

    /// The record fields these rules read, in capture-index order.
    public var capturedFields: [String] {
        var fields: [String] = []
        func add(_ f: String) { if !fields.contains(f) { fields.append(f) } }
        for r in fieldMap { add(r.field) }
        if let a = actionCodes { add(a.field) }
        if accessProfile == .frappe { FrappeAccess.fields.forEach(add) }
        return fields
    }

    /// True when the rules change nothing (the enricher skips them).
    public var isEmpty: Bool {
        routes.isEmpty && methodActions.isEmpty && fieldMap.isEmpty && actionCodes == nil && constants.isEmpty
            && accessProfile == nil && origins.isEmpty && users == nil && links.isEmpty
    }

    /// Each captured field's index in `captured` (built once by the enricher, not per event).
    var captureIndex: [String: Int] {
        Dictionary(uniqueKeysWithValues: capturedFields.enumerated().map { ($1, $0) })
    }

    /// Applies the rules to an event; `captured` holds the values of `capturedFields`, found through `index`
    /// (`captureIndex`); `fileService` is the service the name of the event's first file gives.
    func apply(
        to e: inout AuditEvent, captured: [JSONValue?], index: [String: Int], method: String?, path: String?,
        fileService: () -> String? = { nil }
    ) {
        func value(_ field: String) -> JSONValue? {
            guard let i = index[field], i < captured.count else { return nil }
            return captured[i]
        }
        if let method, !methodActions.isEmpty, e.action == RouteClassifier.defaultAction(method),
            let a = methodActions[method.uppercased()]
        {
            e.action = a
        }
        if let path {
            for r in routes {
                guard let caps = r.match(method: method, path: path) else { continue }
                if let t = RoutePattern.fill(r.entityType, caps) { e.entity.type = t }
                if let id = RoutePattern.fill(r.entityID, caps) { e.entity.id = id }
                if let a = r.action { e.action = a }
                if let k = r.accessKind { Self.set(.accessKind, .string(k), on: &e) }
                break
            }
        }
        for r in fieldMap {
            if let v = value(r.field), v != .null { Self.set(r.target, v, on: &e) }
        }
        if let codes = actionCodes, let v = value(codes.field)?.scalarText {
            e.action = codes.values[v] ?? e.action
        }
        for c in constants { Self.set(c.target, .string(c.value), on: &e) }
        if accessProfile == .frappe { FrappeAccess.classify(&e, value, fileService: fileService) }
        if let ua = e.actor.userAgent, let rule = origins.first(where: { $0.pattern.matches(ua.lowercased()) }) {
            e.actor.origin = rule.origin
        }
        if let users {
            let key = users.key == .user ? e.actor.user : e.actor.userID
            let entry = key.flatMap(users.lookup)
            e.actor.name = entry?.name
            e.actor.email = entry?.email
            e.actor.roles = entry?.roles ?? []
        }
        if !links.isEmpty {
            var made: [JSONMember] = []
            for l in links {
                if let url = l.render({ e.value(at: $0) }) { made.append(JSONMember(l.name, .string(url))) }
            }
            e.links = made
        }
    }

    /// Sets one event field; text targets take a value's text, filters and columns keep structure.
    static func set(_ target: EventTarget, _ v: JSONValue, on e: inout AuditEvent) {
        let text = v.scalarText
        func access(_ body: (inout AuditEvent.Access) -> Void) {
            var a = e.access ?? AuditEvent.Access(kind: "view")
            body(&a)
            e.access = a
        }
        switch target {
        case .entityType: e.entity.type = text
        case .entityID: e.entity.id = text
        case .entityName: e.entity.name = text
        case .action: e.action = text
        case .actorUser: e.actor.user = text
        case .actorUserID: e.actor.userID = text
        case .accessKind: access { $0.kind = text ?? $0.kind }
        case .accessFileType: access { $0.fileType = text?.uppercased() }
        case .accessReportName: access { $0.reportName = text }
        case .accessFilters: access { $0.filters = StructuredText.parse(v) }
        case .accessColumns: access { $0.columns = StructuredText.parse(v) }
        case .accessDocument: access { $0.document = text }
        case .accessExportFrom: access { $0.exportFrom = text }
        }
    }
}
