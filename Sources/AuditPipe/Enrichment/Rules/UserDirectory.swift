/// A user directory joined onto events: user id or login → name, email, roles. Read from a CSV file
/// (a header naming `id` or `user`, and `name`, `email`, `roles` separated by `;` or `|`) or a JSON file
/// (an array of such objects, or an object keyed by id).
public struct UserDirectory: Sendable {
    /// One person.
    public struct Entry: Sendable, Equatable {
        public var name: String?
        public var email: String?
        public var roles: [String]
    }

    /// Which actor field is looked up.
    public enum Key: String, Sendable, CaseIterable {
        case user
        case userID = "user_id"
    }

    /// The actor field the directory is keyed on.
    public let key: Key
    private let entries: [String: Entry]

    /// What loading failed on.
    public struct LoadError: Error, Sendable {
        public let message: String
    }

    /// Number of people in the directory.
    public var count: Int { entries.count }

    /// The entry for an actor field value.
    public func lookup(_ id: String) -> Entry? { entries[id] }

    /// Loads `path` (`.json` as JSON, anything else as CSV).
    public init(path: String, key: Key) throws(LoadError) {
        self.key = key
        guard let bytes = FileBytes.read(path) else { throw LoadError(message: "cannot read user directory '\(path)'") }
        if path.hasSuffix(".json") {
            entries = try Self.json(bytes, path: path)
        } else {
            entries = try Self.csv(bytes, path: path)
        }
    }

    private static func csv(_ bytes: [UInt8], path: String) throws(LoadError) -> [String: Entry] {
        var rows = CSVRows(bytes)
        guard let header = rows.next()?.cells.map({ $0.trimmingSpaces.lowercased() }) else {
            throw LoadError(message: "user directory '\(path)' is empty")
        }
        guard let idColumn = header.firstIndex(where: { ["id", "user_id", "user", "login", "username"].contains($0) })
        else {
            throw LoadError(message: "user directory '\(path)' needs an id, user_id, user, login or username column")
        }
        let name = header.firstIndex(of: "name") ?? header.firstIndex(of: "full_name")
        let email = header.firstIndex(of: "email")
        let roles = header.firstIndex(of: "roles")
        var out: [String: Entry] = [:]
        for row in rows where row.cells.count > idColumn {
            func cell(_ i: Int?) -> String? {
                guard let i, i < row.cells.count, !row.cells[i].isEmpty else { return nil }
                return row.cells[i]
            }
            let roleList = cell(roles).map { r in
                r.split(whereSeparator: { $0 == ";" || $0 == "|" }).map { String($0).trimmingSpaces }
            }
            out[row.cells[idColumn]] = Entry(name: cell(name), email: cell(email), roles: roleList ?? [])
        }
        return out
    }

    private static func json(_ bytes: [UInt8], path: String) throws(LoadError) -> [String: Entry] {
        let value: JSONValue
        do {
            value = try bytes.withUnsafeBufferPointer { b throws(JSONSyntaxError) in
                var s = JSONScanner(b, maxDepth: 16)
                s.skipWhitespace()
                return try s.parseValue(depth: 0)
            }
        } catch {
            throw LoadError(message: "user directory '\(path)' is not valid JSON: \(error.reason)")
        }
        func entry(_ v: JSONValue) -> Entry {
            var roles: [String] = []
            if case .array(let items)? = v["roles"] { roles = items.compactMap(\.scalarText) }
            return Entry(
                name: v["name"]?.scalarText ?? v["full_name"]?.scalarText, email: v["email"]?.scalarText, roles: roles)
        }
        var out: [String: Entry] = [:]
        switch value {
        case .array(let items):
            for item in items {
                guard let id = (item["id"] ?? item["user_id"] ?? item["user"] ?? item["login"])?.scalarText else {
                    continue
                }
                out[id] = entry(item)
            }
        case .object(let members):
            for m in members { out[m.key] = entry(m.value) }
        default:
            throw LoadError(message: "user directory '\(path)' must hold an array or an object")
        }
        return out
    }
}
