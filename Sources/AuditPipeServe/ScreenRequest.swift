import Foundation

/// A request to the screen, free of any HTTP framework: method, decoded path, query parameters, headers.
public struct ScreenRequest: Sendable {
    /// The method (`GET`).
    public var method: String
    /// The path, percent-decoded (`/api/events/abc`).
    public var path: String
    /// Query parameters, decoded (`+` is a space), the first of each name.
    public var query: [String: String]
    /// Headers by lowercased name, the first of each.
    public var headers: [String: String]
    /// The client's address.
    public var peer: String

    /// Creates a request from a request target (`/path?query`).
    public init(method: String, target: String, headers: [(name: String, value: String)], peer: String) {
        self.method = method
        self.peer = peer
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = String(parts[0]).removingPercentEncoding ?? String(parts[0])
        var query: [String: String] = [:]
        if parts.count > 1 {
            for item in parts[1].split(separator: "&") {
                let kv = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                func decode(_ s: Substring) -> String {
                    let spaced = s.replacingOccurrences(of: "+", with: " ")
                    return spaced.removingPercentEncoding ?? spaced
                }
                let name = decode(kv[0])
                if query[name] == nil { query[name] = kv.count > 1 ? decode(kv[1]) : "" }
            }
        }
        self.query = query
        var byName: [String: String] = [:]
        for h in headers where byName[h.name.lowercased()] == nil { byName[h.name.lowercased()] = h.value }
        self.headers = byName
    }
}
