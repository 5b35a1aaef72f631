/// A group's HTTP fields, each taken from the best-ranked record that has it (`RecordRank`: the API payload
/// record before access lines before log lines, then the earliest): a gateway's "request received" line
/// with a route template supplies the route but never the method, path or query of the API record.
/// Kept as the few records that are best for some field (8 bytes in the group, one small array when it
/// has HTTP records), not as a copy of every field with its rank.
struct BestHTTPFields: Sendable {
    private struct Source: Sendable {
        var fields: HTTPFields
        var rank: RecordRank
    }

    /// Records giving some field no better-ranked record gives, best first (at most one per field).
    private var sources: [Source] = []

    /// HTTP method of the best-ranked record that has one.
    var method: String? { first { $0.method } }
    /// Concrete path of the best-ranked record that has one.
    var path: String? { first { $0.path } }
    /// Query of the best-ranked record that has one.
    var query: JSONValue? { first { $0.query } }
    /// Route template of the best-ranked record that has one.
    var route: String? { first { $0.route } }
    /// Payload of the best-ranked record that has one.
    var body: JSONValue? { first { $0.body } }

    /// True when no record has given a method, path or route.
    var isEmpty: Bool { method == nil && path == nil && route == nil }

    /// Folds one record's HTTP fields, ranked `rank`.
    mutating func add(_ h: consuming HTTPFields, rank: RecordRank) {
        let given = Self.fieldsGiven(h)
        guard given != 0 else { return }
        let at = sources.firstIndex { rank < $0.rank } ?? sources.count
        var covered: UInt8 = 0
        for s in sources[..<at] { covered |= Self.fieldsGiven(s.fields) }
        guard given & ~covered != 0 else { return }
        // Room for two at the first: a request's API record and its gateway's route line both give fields, and
        // growing from one slot to two was an allocation and a copy per group (dump10k: 19,927 insertions).
        if sources.isEmpty { sources.reserveCapacity(2) }
        sources.insert(Source(fields: h, rank: rank), at: at)
        covered |= given
        // A worse-ranked record left giving nothing new is dropped.
        var k = at + 1
        while k < sources.count {
            let g = Self.fieldsGiven(sources[k].fields)
            if g & ~covered == 0 {
                sources.remove(at: k)
            } else {
                covered |= g
                k += 1
            }
        }
    }

    private func first<T>(_ field: (HTTPFields) -> T?) -> T? {
        for s in sources {
            if let v = field(s.fields) { return v }
        }
        return nil
    }

    /// The fields a record gives, one bit each: method, path, query, route, body.
    private static func fieldsGiven(_ h: HTTPFields) -> UInt8 {
        (h.method != nil ? 1 : 0) | (h.path != nil ? 2 : 0) | (h.query != nil ? 4 : 0) | (h.route != nil ? 8 : 0)
            | (h.body != nil ? 16 : 0)
    }
}
