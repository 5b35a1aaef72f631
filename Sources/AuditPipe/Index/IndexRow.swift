/// One archived event as the index holds it: its indexed fields, its sort key and where its line lives
/// (the day, the gzip member holding it, and the line's place in that member's inflated bytes).
struct IndexRow: Sendable, Equatable {
    var day: String
    /// The line's number in the day file (0-based): archive order.
    var line: Int64
    var memberOffset: Int64
    var memberLength: Int64
    var lineOffset: Int64
    var lineLength: Int64
    /// The newest-first sort key: start (Int64.min when it is not a time) and event id ("" when missing).
    var sortStart: Int64
    var sortID: String
    /// True when some indexed field does not fit its column (or the line is not a JSON object, or not
    /// UTF-8): such a row is a candidate of every query.
    var irregular: Bool
    /// Values of `IndexedField.all`, in order (NULL for an irregular field).
    var values: [SQLiteValue]

    /// The row of an event line.
    init(
        line bytes: UnsafeBufferPointer<UInt8>, day: String, line: Int64, member: GzipMembers.Member,
        memberLength: Int, lineOffset: Int
    ) {
        self.day = day
        self.line = line
        memberOffset = Int64(member.compressedOffset)
        self.memberLength = Int64(memberLength)
        self.lineOffset = Int64(lineOffset)
        lineLength = Int64(bytes.count)
        var s = JSONScanner(bytes, maxDepth: 64)
        let value = try? s.parseValue(depth: 0)
        var irregular = value == nil || String(validating: bytes, as: UTF8.self) == nil
        if case .object? = value {} else { irregular = true }
        var values: [SQLiteValue] = []
        values.reserveCapacity(IndexedField.all.count)
        let subject = value.map(EventObjectSubject.init(object:))
        for field in IndexedField.all {
            let v = subject?.filterValue(at: FieldPath(segments: field.segments, written: field.column)) ?? .missing
            if let stored = field.stored(v) {
                values.append(stored)
            } else {
                values.append(.null)
                irregular = true
            }
        }
        self.irregular = irregular
        self.values = values
        if case .int(let t) = values[0] { sortStart = t } else { sortStart = Int64.min }
        sortID = value?["event_id"]?.scalarText ?? ""
    }

    init(
        day: String, line: Int64, memberOffset: Int64, memberLength: Int64, lineOffset: Int64, lineLength: Int64,
        sortStart: Int64, sortID: String, irregular: Bool, values: [SQLiteValue]
    ) {
        self.day = day
        self.line = line
        self.memberOffset = memberOffset
        self.memberLength = memberLength
        self.lineOffset = lineOffset
        self.lineLength = lineLength
        self.sortStart = sortStart
        self.sortID = sortID
        self.irregular = irregular
        self.values = values
    }
}
