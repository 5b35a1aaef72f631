import Testing

@testable import AuditPipe

/// The joiner sees a file as batches cut wherever the reader's buffer filled: the records, their lines, their
/// messages and the counts must not depend on where the cuts fall (the held-back record crosses them).
struct JoinerBatchSplitTests {
    /// Lines of every kind the joiner treats apart: JSON and text records, stack-trace continuations, blank
    /// lines, JSON cut short (dead letters) and indented brace lines (continuations).
    static func lines(seed: UInt64, count: Int) -> [String] {
        var rng = SplitMix64(seed: seed)
        var out: [String] = []
        var second = 0
        while out.count < count {
            second += Int(rng.next() % 3)
            let time = "2026-11-21T10:\(String(format2: second / 60 % 60)):\(String(format2: second % 60))Z"
            switch rng.next() % 9 {
            case 0, 1, 2:
                out.append(
                    #"{"time":"\#(time)","level":"info","msg":"m\#(rng.next() % 50)","request_id":"req-\#(rng.next() % 7)","service":"api"}"#
                )
            case 3:
                out.append(
                    #"{"time":"\#(time)","level":"error","msg":"boom \#(rng.next() % 9)","request_id":"req-\#(rng.next() % 7)"}"#
                )
            case 4:
                out.append("\(time) ERROR worker: failed job \(rng.next() % 100)")
                for k in 0..<Int(rng.next() % 4) { out.append("    at frame\(k) (job.swift:\(k + 1))") }
            case 5: out.append("")
            case 6: out.append(#"{"time":"\#(time)","msg":"cut"#)
            case 7: out.append("\t{")
            default: out.append("\(time) INFO web: ok request_id=req-\(rng.next() % 7)")
            }
        }
        return out
    }

    /// Frames `lines` into batches cut after the given line counts, parses and joins them as the pipeline does.
    static func join(_ lines: [String], cuts: [Int]) -> (records: [LogRecord], dead: [DeadLetter], counts: LineCounts) {
        var parser = LineParser(options: ParseOptions())
        var joiner = ContinuationJoiner(keepMessage: true)
        var records: [LogRecord] = []
        var dead: [DeadLetter] = []
        var offset: Int64 = 0
        var first = 0
        for (index, end) in (cuts + [lines.count]).enumerated() where end > first {
            var bytes: [UInt8] = []
            var spans: [LineSpan] = []
            for k in first..<end {
                let line = Array(lines[k].utf8)
                spans.append(
                    LineSpan(
                        start: Int32(bytes.count), length: Int32(line.count), number: Int64(k + 1), offset: offset,
                        oversizedLength: 0))
                bytes += line + [10]
                offset += Int64(line.count + 1)
            }
            var batch = LineBatch(input: 0, index: index, bytes: bytes, lines: spans)
            batch.endOffset = offset
            batch.endLine = Int64(end + 1)
            let parsed = InputStage.parse(batch, with: &parser, service: "f", maxLineBytes: ParseOptions().maxLineBytes)
            let out = joiner.join(parsed, lines: batch)
            records += out.records
            dead += out.deadLetters
            first = end
        }
        if let last = joiner.finish() { records.append(last) }
        return (records, dead, joiner.counts)
    }

    static func summary(_ r: LogRecord) -> String {
        "\(r.position.line) \(r.lineCount) \(r.time) \(r.requestID ?? "-") \(r.service ?? "-") \(r.message ?? "-")"
    }

    @Test func recordsDoNotDependOnWhereBatchesAreCut() {
        for seed in UInt64(1)...40 {
            let lines = Self.lines(seed: seed, count: 300)
            let whole = Self.join(lines, cuts: [])
            var rng = SplitMix64(seed: seed &* 7919)
            var cuts: [Int] = []
            var at = 0
            while true {
                at += 1 + Int(rng.next() % 40)
                guard at < lines.count else { break }
                cuts.append(at)
            }
            // Batches of a single line, too: every record is then held back across a cut.
            let split = Self.join(lines, cuts: seed % 5 == 0 ? Array(1..<lines.count) : cuts)
            #expect(split.records.map(Self.summary) == whole.records.map(Self.summary), "seed \(seed)")
            #expect(
                split.dead.map { "\($0.position.line) \($0.reason)" }
                    == whole.dead.map { "\($0.position.line) \($0.reason)" })
            #expect(split.counts == whole.counts, "seed \(seed)")
            #expect(whole.records.count > 100 && whole.records.contains { $0.lineCount > 1 } && !whole.dead.isEmpty)
            let lineTotal = whole.counts.recordLines + whole.counts.blank + whole.counts.deadLettered
            #expect(lineTotal == Int64(lines.count), "seed \(seed): the counts add up")
        }
    }
}

extension String {
    fileprivate init(format2 n: Int) { self = n < 10 ? "0\(n)" : "\(n)" }
}
