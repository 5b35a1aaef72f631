/// One column of an events CSV, resolved once from its dotted path: a field of the event written straight into
/// the row's bytes, or (for any other path) the value `AuditEvent.value(at:)` finds there.
///
/// A row written through `value(at:)` resolved each path's shorthand, built a `JSONValue` and a `String` for each
/// cell and an array of them for the row (dump10k: ~30,000 instructions an event for the 16 default columns,
/// four times the JSONL encoder's cost); the cells are the same bytes (`CSVColumnTests`).
enum CSVColumn: Sendable {
    case eventID, requestID, start, end, durationMillis
    case actorUser, actorUserID, actorIP, actorUserAgent, actorOrigin
    case action, entityType, entityID, entityName
    case outcomeStatus, outcomeResult, outcomeError
    case apiMethod, apiPath, apiRoute
    case services, records, flags
    /// Any other path, looked up as `AuditEvent.value(at:)` does.
    case path([String])

    /// The column for `segments` (a dotted path split at its dots; shorthands such as `user` allowed).
    init(_ segments: [String]) {
        let resolved = EventSchema.resolved(segments)
        switch resolved.count {
        case 1:
            switch resolved[0] {
            case "event_id": self = .eventID
            case "request_id": self = .requestID
            case "start": self = .start
            case "end": self = .end
            case "duration_ms": self = .durationMillis
            case "action": self = .action
            case "services": self = .services
            case "records": self = .records
            case "flags": self = .flags
            default: self = .path(segments)
            }
        case 2:
            switch (resolved[0], resolved[1]) {
            case ("actor", "user"): self = .actorUser
            case ("actor", "user_id"): self = .actorUserID
            case ("actor", "ip"): self = .actorIP
            case ("actor", "user_agent"): self = .actorUserAgent
            case ("actor", "origin"): self = .actorOrigin
            case ("entity", "type"): self = .entityType
            case ("entity", "id"): self = .entityID
            case ("entity", "name"): self = .entityName
            case ("outcome", "status"): self = .outcomeStatus
            case ("outcome", "result"): self = .outcomeResult
            case ("outcome", "error"): self = .outcomeError
            case ("api", "method"): self = .apiMethod
            case ("api", "path"): self = .apiPath
            case ("api", "route"): self = .apiRoute
            default: self = .path(segments)
            }
        default:
            self = .path(segments)
        }
    }

    /// Appends this column's cell of `e` to `row` (nothing for a missing or null value); `scratch` holds the
    /// JSON text of a list or an object on its way into the cell.
    func append(_ e: AuditEvent, to row: inout [UInt8], scratch: inout JSONWriter) {
        switch self {
        case .eventID: Self.append(text: e.eventID, to: &row)
        case .requestID: Self.append(text: e.requestID, to: &row)
        case .start: UTCTime.appendRFC3339Millis(e.start, to: &row)
        case .end: UTCTime.appendRFC3339Millis(e.end, to: &row)
        case .durationMillis: Self.append(number: e.durationMillis, to: &row)
        case .actorUser: Self.append(text: e.actor.user, to: &row)
        case .actorUserID: Self.append(text: e.actor.userID, to: &row)
        case .actorIP: Self.append(text: e.actor.ip, to: &row)
        case .actorUserAgent: Self.append(text: e.actor.userAgent, to: &row)
        case .actorOrigin: Self.append(text: e.actor.origin, to: &row)
        case .action: Self.append(text: e.action, to: &row)
        case .entityType: Self.append(text: e.entity.type, to: &row)
        case .entityID: Self.append(text: e.entity.id, to: &row)
        case .entityName: Self.append(text: e.entity.name, to: &row)
        case .outcomeStatus: if let s = e.outcome.status { Self.append(number: s, to: &row) }
        case .outcomeResult: Self.append(text: e.outcome.result, to: &row)
        case .outcomeError: Self.append(text: e.outcome.error, to: &row)
        case .apiMethod: Self.append(text: e.api?.method, to: &row)
        case .apiPath: Self.append(text: e.api?.path, to: &row)
        case .apiRoute: Self.append(text: e.api?.route, to: &row)
        case .services:
            scratch.removeAll()
            scratch.raw("[")
            for (i, s) in e.services.enumerated() {
                if i > 0 { scratch.raw(",") }
                scratch.string(s)
            }
            scratch.raw("]")
            scratch.withBytes { Self.append(cell: $0, to: &row) }
        case .records: Self.append(number: e.records, to: &row)
        case .flags:
            scratch.removeAll()
            scratch.raw("[")
            for (i, name) in e.flags.names.enumerated() {
                if i > 0 { scratch.raw(",") }
                scratch.string(name)
            }
            scratch.raw("]")
            scratch.withBytes { Self.append(cell: $0, to: &row) }
        case .path(let segments):
            switch e.value(at: segments) {
            case .some(.number(var n)):
                // Its digits as read (a JSON number, never a formula): `-42` stays a number, as `CSVSink.cell` has it.
                n.withUTF8 { row.append(contentsOf: $0) }
            case let v:
                if let cell = CSVSink.cell(v) { Self.append(text: cell, to: &row) }
            }
        }
    }

    /// A number's digits (never a formula: `-5` stays as it is, as `CSVSink.cell` leaves numbers).
    private static func append(number n: Int, to row: inout [UInt8]) {
        var s = String(n)
        s.withUTF8 { row.append(contentsOf: $0) }
    }

    private static func append(text: String?, to row: inout [UInt8]) {
        guard var text else { return }
        text.withUTF8 { append(cell: $0, to: &row) }
    }

    /// A text cell as `CSVSink.appendRow` writes `CSVSink.neutralised` text: `'` before what a spreadsheet would
    /// run as a formula, then in quotes (inner quotes doubled) when it holds `,` `"` CR or LF.
    static func append(cell b: UnsafeBufferPointer<UInt8>, to row: inout [UInt8]) {
        guard let first = b.first else { return }
        let formula =
            first == UInt8(ascii: "=") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-")
            || first == UInt8(ascii: "@") || first == 0x09 || first == 0x0D
        let quoted = b.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
        if !quoted {
            if formula { row.append(UInt8(ascii: "'")) }
            row.append(contentsOf: b)
            return
        }
        row.append(UInt8(ascii: "\""))
        if formula { row.append(UInt8(ascii: "'")) }
        for c in b {
            if c == UInt8(ascii: "\"") { row.append(c) }
            row.append(c)
        }
        row.append(UInt8(ascii: "\""))
    }
}
