/// Rebuilds a record of an open group from what a checkpoint saved — its own lines and where, when and in
/// which order it came — by parsing the lines again as the input stage did, so a resumed run's groups are
/// the interrupted run's, field for field.
enum RecordReplay {
    /// The record whose lines are `saved.raw`, as input `input` (whose file name gives `fileService`) had it.
    static func rebuild(_ saved: Checkpoint.SavedRecord, input: Int32, fileService: String?, options: ParseOptions)
        -> LogRecord?
    {
        var spans: [LineSpan] = []
        var start = 0
        var offset = saved.offset
        var number = saved.line
        let raw = saved.raw
        for i in 0...raw.count where i == raw.count || raw[i] == 10 {
            spans.append(
                LineSpan(
                    start: Int32(start), length: Int32(i - start), number: number, offset: offset, oversizedLength: 0))
            offset += Int64(i - start + 1)
            number += 1
            start = i + 1
        }
        let batch = LineBatch(
            input: input, index: 0, bytes: raw, lines: spans, endOffset: offset, endLine: number)
        var parser = LineParser(options: options)
        let parsed = InputStage.parse(batch, with: &parser, service: fileService, maxLineBytes: options.maxLineBytes)
        var joiner = ContinuationJoiner(keepMessage: options.includeRecords)
        joiner.keepRaw = true
        let joined = joiner.join(parsed, lines: batch)
        guard var r = joined.records.first ?? joiner.finish() else { return nil }
        r.time = saved.time
        r.timeKnown = saved.timeKnown
        r.clockSkewed = saved.clockSkewed
        r.statedTime = saved.statedTime
        r.sequence = saved.sequence
        return r
    }
}
