/// A line a document reader hands on for a part of its document it could not read: a marker (a NUL and the
/// reader's tag), then optionally a NUL, the reason and a NUL, then the part's raw text (its line breaks made
/// spaces). The line parser dead-letters it with that reason, and the joiner keeps only the raw text.
enum RejectedLine {
    /// The reason and where the raw text starts in `line`, which starts with `marker`; `fallback` when the line
    /// gives no reason.
    static func parse(_ line: UnsafeBufferPointer<UInt8>, marker: [UInt8], fallback: String) -> (
        reason: String, rawStart: Int
    ) {
        let from = marker.count
        guard from < line.count, line[from] == 0 else { return (fallback, min(from, line.count)) }
        let end = line[(from + 1)...].firstIndex(of: 0) ?? line.count
        let reason = String(decoding: UnsafeBufferPointer(rebasing: line[(from + 1)..<end]), as: UTF8.self)
        return (reason, min(line.count, end + 1))
    }

    /// Appends the line for `raw` rejected for `reason` (empty: none given) to `out`.
    static func write(_ raw: some Sequence<UInt8>, reason: String, marker: [UInt8], to out: inout [UInt8]) {
        out.append(contentsOf: marker)
        if !reason.isEmpty {
            out.append(0)
            out.append(contentsOf: reason.utf8)
            out.append(0)
        }
        for b in raw { out.append(b == 10 || b == 13 ? 32 : b) }
        out.append(10)
    }
}
