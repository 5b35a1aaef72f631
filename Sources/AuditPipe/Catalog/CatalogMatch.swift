/// Whether an archived line answers a `CatalogQuery`, exactly as `query` decides it: the line parses as
/// JSON, its start is in range (when it is a time), the filter matches, and every free-text term occurs in
/// the line ASCII case-insensitively (as `ScanCatalog` tests it, with its own helpers).
enum CatalogMatch {
    /// The parsed event when `line` matches `query`, else nil.
    static func matches(_ line: [UInt8], _ query: CatalogQuery, terms: [[UInt8]]) -> JSONValue? {
        guard ScanCatalog.containsAll(terms, in: line) else { return nil }
        let v: JSONValue? = line.withUnsafeBufferPointer { b in
            var s = JSONScanner(b, maxDepth: 64)
            return try? s.parseValue(depth: 0)
        }
        guard let v else { return nil }
        let subject = EventObjectSubject(object: v)
        if case .time(let t) = subject.filterValue(at: FieldPath(segments: ["start"], written: "start")) {
            if let since = query.since, t < since { return nil }
            if let until = query.until, t >= until { return nil }
        }
        if let filter = query.filter, !filter.matches(subject) { return nil }
        return v
    }

    /// The free-text terms, as `ScanCatalog` splits and folds them.
    static func terms(_ text: String?) -> [[UInt8]] { ScanCatalog.terms(text) }

    /// The terms as written (for the FTS narrowing), split where `terms` splits.
    static func writtenTerms(_ text: String?) -> [String] {
        guard let text else { return [] }
        return text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).map(String.init)
    }

    /// The days a start range can touch, as `query` reads them: `[first, last]`, either end open.
    static func dayRange(_ query: CatalogQuery) -> (first: String?, last: String?) {
        (query.since.map(ArchiveLayout.day(of:)), query.until.map { ArchiveLayout.day(of: $0.minus(saturating: 1)) })
    }
}
