import AuditPipe

/// The filter parameters every list, activity and export route takes (`q`, `since`, `until`, `text`), read into
/// a catalog query; the parameters as given are kept for the audit log's `access.filters`.
struct ScreenQuery {
    /// The catalog question.
    var catalog: CatalogQuery
    /// The parameters as given, for `access.filters`.
    var filters: JSONValue

    /// Reads the parameters; the error is the message for a 400 answer.
    static func parse(_ query: [String: String], now: Int64) -> Result<ScreenQuery, ScreenQueryError> {
        var catalog = CatalogQuery()
        var members: [JSONMember] = []
        if let q = query["q"], !q.allSatisfy(\.isWhitespace) {
            do {
                catalog.filter = try FilterParser.parse(q, for: .events)
            } catch {
                return .failure(ScreenQueryError(message: error.rendered))
            }
            members.append(JSONMember("q", .string(q)))
        }
        for name in ["since", "until"] {
            guard let value = query[name], !value.isEmpty else { continue }
            guard let t = TimeBound.parse(value, now: now) else {
                return .failure(
                    ScreenQueryError(
                        message: "\(name) takes an RFC 3339 time, a date or an age (24h, 7d); got '\(value)'"))
            }
            if name == "since" { catalog.since = t } else { catalog.until = t }
            members.append(JSONMember(name, .string(value)))
        }
        if let text = query["text"], !text.allSatisfy(\.isWhitespace) {
            catalog.text = text
            members.append(JSONMember("text", .string(text)))
        }
        return .success(ScreenQuery(catalog: catalog, filters: .object(members)))
    }
}

/// A filter parameter that does not parse.
struct ScreenQueryError: Error {
    /// What is wrong, with the caret diagnostic for an expression.
    var message: String
}
