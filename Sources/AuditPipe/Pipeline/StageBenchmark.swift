/// The pipeline's stages run one after another on one thread, cut after a chosen stage, so the benchmark
/// can charge each stage its own cost (the time through stage N minus the time through stage N−1).
public enum StageBenchmark {
    /// Where a run stops.
    public enum Stage: String, CaseIterable, Sendable {
        /// Read the bytes (gzip inflated).
        case read
        /// Split them into lines.
        case frame
        /// Parse each line into a record (continuation lines joined).
        case parse
        /// Group records into events.
        case correlate
        /// Turn groups into audit events.
        case enrich
        /// Serialize the events as JSON lines (to a buffer, not a file).
        case jsonl
        /// Serialize the events as CSV rows with the default columns (to /dev/null).
        case csv
    }

    /// What a run saw.
    public struct Counts: Sendable {
        public var bytes: Int64 = 0
        public var lines: Int64 = 0
        public var records: Int64 = 0
        public var events: Int64 = 0
        /// Bytes serialized.
        public var output: Int64 = 0
    }

    /// Runs the stages up to and including `stage` on the file at `path`.
    public static func run(path: String, through stage: Stage) throws -> Counts {
        let all = Stage.allCases
        let upTo = all.firstIndex(of: stage)!
        func doing(_ s: Stage) -> Bool { all.firstIndex(of: s)! <= upTo }
        var counts = Counts()
        let spec = InputSpec(path: path)
        let options = ParseOptions()
        if stage == .read {
            var source = try InputStage.open(spec, control: RunControl())
            var buffer: [UInt8] = []
            buffer.reserveCapacity(1 << 20)
            while true {
                buffer.removeAll(keepingCapacity: true)
                let n = try source.read(into: &buffer, max: 1 << 20)
                if n == 0 { break }
                counts.bytes += Int64(n)
            }
            source.close()
            return counts
        }
        var framer = LineFramer(
            source: try InputStage.open(spec, control: RunControl(), options: options), input: 0,
            maxLineBytes: options.maxLineBytes)
        var parser = LineParser(options: options)
        var joiner = ContinuationJoiner(keepMessage: false)
        var correlator = Correlator(options: CorrelationOptions())
        let enricher = Enricher(inputNames: InputNames([path]))
        var writer = JSONWriter(capacity: 1 << 20)
        let csv = doing(.csv) ? try CSVSink(path: "/dev/null", columns: CSVSink.defaultColumns, bom: false) : nil
        var sequence: Int64 = 0

        func emit(_ groups: [GroupAccumulator]) throws {
            counts.events += Int64(groups.count)
            guard doing(.enrich) else { return }
            let events = groups.map { enricher.event(from: $0) }
            if doing(.jsonl) {
                writer.bytes.removeAll(keepingCapacity: true)
                for e in events { EventJSONEncoder.encode(e, into: &writer) }
                counts.output += Int64(writer.bytes.count)
            }
            try csv?.write(events)
        }

        while let batch = try framer.nextBatch() {
            counts.lines += Int64(batch.lines.count)
            counts.bytes = batch.endOffset
            guard doing(.parse) else { continue }
            let parsed = InputStage.parse(batch, with: &parser, service: spec.fileService, maxLineBytes: 1 << 20)
            var records = joiner.join(parsed, lines: batch).records
            counts.records += Int64(records.count)
            guard doing(.correlate) else { continue }
            records.drainInOrder { r in
                var r = r
                r.sequence = sequence
                sequence += 1
                correlator.add(r)
            }
            try emit(correlator.drainClosed())
        }
        if doing(.parse), let last = joiner.finish() {
            counts.records += 1
            if doing(.correlate) { correlator.add(last) }
        }
        if doing(.correlate) {
            correlator.finish()
            try emit(correlator.drainClosed())
        }
        return counts
    }
}
