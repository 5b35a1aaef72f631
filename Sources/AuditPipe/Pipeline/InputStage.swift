/// Reads, frames and parses one input: a reader task feeds line batches to `parseWorkers` parser tasks;
/// their results are put back in batch order and continuation lines joined, then sent on `output`.
struct InputStage: Sendable {
    let spec: InputSpec
    let index: Int32
    let options: ParseOptions
    let parseWorkers: Int
    let batchBytes: Int
    let control: RunControl
    /// Set to follow the input as it grows (`--follow`), resuming where a checkpoint says.
    var follow: FollowStart?
    /// A live input silent for longer than this (ns) is quiet: its last record is handed on and the batch
    /// that carries it is marked quiet.
    var quietAfter: Int64 = 5 * UTCTime.second
    /// Rung after every batch sent, so a merge waiting on quiet inputs wakes up.
    var wakeups: InputWakeups?
    /// Keep each record's own lines (a checkpointed follow run saves those of open groups).
    var keepRaw = false
    /// Stop after reading (`.read`) or framing (`.frame`): the benchmark's cuts; the bytes or lines are
    /// counted and dropped.
    var stopAfter: PipelineStage?
    /// Where the channels between the reader, the parse workers and the joiner count their waits.
    var waits: PipelineWaits?
    /// A compressed input is read (inflated) by a task of its own even with one parse worker: inflating and
    /// parsing on one core bound a run's single input (BENCHMARKS.md, session 38). Set for a run of one input.
    var inflatesApart = false
    /// The slots for open input files this input takes one of while it reads.
    var budget = OpenFileBudget.shared
    /// Wakes a followed input whose file changed while it held no descriptor.
    var watcher = FileChangeWatcher.shared

    /// Where a followed input starts: files to read in order (the rest of a rotated file, then the path),
    /// and the stream offset and line number the first byte has.
    struct FollowStart: Sendable {
        var files: [FollowSource.Start]
        var offset: Int64
        var line: Int64
        var progress: FollowProgress
        /// The time the input's first untimed lines inherit (the last timed line's before `offset`).
        var inheritedTime: Int64? = nil
        /// A rotated name of another followed path: its source stays on its file (`FollowSource.staysOnFile`).
        var staysOnFile = false
    }

    /// Runs to the end of the input; finishes `output`. Returns the input's counts and its read error, if any.
    func run(output: BoundedChannel<RecordBatch>) async -> (LineCounts, InputError?) {
        defer {
            output.finish()
            wakeups?.ring(input: index)
        }
        if stopAfter == .read {
            var counts = LineCounts()
            let (bytes, error) = readOnly()
            counts.bytes = bytes
            return (counts, error)
        }
        // Two small frames instead of one large one: a run of many inputs keeps one suspended per input.
        if parseWorkers <= 1 { return await runInline(output: output) }
        return await runParallel(output: output)
    }

    /// Several parse workers: a reader task feeds line batches to them; their results are put back in batch
    /// order and joined here.
    private func runParallel(output: BoundedChannel<RecordBatch>) async -> (LineCounts, InputError?) {
        // A file is opened only with a slot of the open-file budget; standard input needs none.
        let budget: OpenFileBudget? = spec.isStandardInput ? nil : self.budget
        await budget?.acquire()
        let framer: LineFramer
        do throws(InputError) {
            framer = try openFramer()
        } catch {
            budget?.release()
            return (LineCounts(), error)
        }
        // Resolved once the input is open: its first pass cannot miss a file deleted while it is read.
        let options = await resolvedOptions()
        return await runParallel(framer, options: options, budget: budget, output: output)
    }

    /// `runParallel(output:)` on an input opened with a slot of `budget` (nil: none taken).
    private func runParallel(
        _ framer: consuming LineFramer, options: ParseOptions, budget: OpenFileBudget?,
        output: BoundedChannel<RecordBatch>
    ) async -> (LineCounts, InputError?) {
        let workers = max(1, parseWorkers)
        let meter = waits ?? PipelineWaits()
        let lineBatches = BoundedChannel<LineBatch>(capacity: workers + 1, waits: meter, edge: .readToParse)
        let parsedBatches = BoundedChannel<(LineBatch, ParsedBatch)>(
            capacity: workers + 1, waits: meter, edge: .parseToJoin)
        let opened = UncheckedBox(framer)
        let stage = self

        return await withTaskGroup(of: (Int64, InputError?).self) { group in
            group.addTask {
                var framer = opened.value
                let failure = await stage.read(with: &framer, budget: budget, hasRoom: { lineBatches.hasRoom }) {
                    await lineBatches.send($0)
                }
                lineBatches.finish()
                return (framer.bytesRead, failure)
            }
            group.addTask {
                await withTaskGroup(of: Void.self) { parsers in
                    for _ in 0..<workers {
                        parsers.addTask {
                            var parser = LineParser(options: options)
                            let service = stage.spec.fileService
                            for await batch in lineBatches {
                                let parsed = Self.parse(
                                    batch, with: &parser, service: service, maxLineBytes: options.maxLineBytes)
                                await parsedBatches.send((batch, consume parsed))
                            }
                        }
                    }
                }
                parsedBatches.finish()
                return (0, nil)
            }

            var joiner = ContinuationJoiner(keepMessage: options.includeRecords)
            joiner.keepRaw = keepRaw
            joiner.timestamps = options.timestamps
            joiner.yearAnchor = options.yearAnchor
            if let t = follow?.inheritedTime { joiner.inherit(t) }
            var waiting: [Int: (LineBatch, ParsedBatch)] = [:]
            var nextIndex = 0
            var lastEnd: (line: Int64, offset: Int64) = (1, 0)
            // Each batch is moved into the table (`take`), so the joiner's parsed records have one owner: a second
            // one, the loop's binding, made the joiner's first write copy every record of the batch.
            while true {
                var received = await parsedBatches.receive()
                guard let at = received?.0.index else { break }
                waiting[at] = received.take()
                while let (lines, parsed) = waiting.removeValue(forKey: nextIndex) {
                    nextIndex += 1
                    lastEnd = (lines.endLine, lines.endOffset)
                    var batch = joiner.join(parsed, lines: lines)
                    batch.quiet = lines.endsAtPause
                    await output.send(consume batch)
                    wakeups?.ring(input: index)
                }
            }
            if let last = joiner.finish(), !isPausing {
                var batch = RecordBatch(input: index, records: [last], deadLetters: [])
                batch.handedOnTo = SourcePosition(input: index, line: lastEnd.line, offset: lastEnd.offset)
                await output.send(consume batch)
                wakeups?.ring(input: index)
            }
            var counts = joiner.counts
            var failure: InputError?
            for await (bytes, error) in group {
                counts.bytes += bytes
                if let error { failure = error }
            }
            return (counts, failure)
        }
    }

    /// One parse worker: reads, parses and joins in this one task, with no channel between them (an input
    /// of many costs one task, and its descriptor is given back before a send to the merge that would wait).
    private func runInline(output: BoundedChannel<RecordBatch>) async -> (LineCounts, InputError?) {
        let budget: OpenFileBudget? = spec.isStandardInput ? nil : self.budget
        await budget?.acquire()
        var framer: LineFramer
        do throws(InputError) {
            framer = try openFramer()
        } catch {
            budget?.release()
            return (LineCounts(), error)
        }
        let options = await resolvedOptions()
        if inflatesApart && framer.sourceInflates {
            return await runParallel(framer, options: options, budget: budget, output: output)
        }
        var parser = LineParser(options: options)
        var joiner = ContinuationJoiner(keepMessage: options.includeRecords)
        joiner.keepRaw = keepRaw
        joiner.timestamps = options.timestamps
        joiner.yearAnchor = options.yearAnchor
        if let t = follow?.inheritedTime { joiner.inherit(t) }
        var lastEnd: (line: Int64, offset: Int64) = (1, 0)
        let service = spec.fileService
        let failure = await read(with: &framer, budget: budget, hasRoom: { output.hasRoom }) { lines in
            let parsed = Self.parse(lines, with: &parser, service: service, maxLineBytes: options.maxLineBytes)
            lastEnd = (lines.endLine, lines.endOffset)
            var batch = joiner.join(parsed, lines: lines)
            batch.quiet = lines.endsAtPause
            await output.send(consume batch)
            wakeups?.ring(input: index)
        }
        if let last = joiner.finish(), !isPausing {
            var batch = RecordBatch(input: index, records: [last], deadLetters: [])
            batch.handedOnTo = SourcePosition(input: index, line: lastEnd.line, offset: lastEnd.offset)
            await output.send(consume batch)
            wakeups?.ring(input: index)
        }
        var counts = joiner.counts
        counts.bytes += framer.bytesRead
        return (counts, failure)
    }

    /// A checkpointed follower is being stopped: the last record, which the next line might still continue,
    /// is not handed on but read again by the next run (its commit point is before it).
    private var isPausing: Bool { follow != nil && keepRaw && control.isStopRequested }

    /// When a pause that began with a batch ending at the source's end started (monotonic clock): when its
    /// bytes were written, for a followed file, but not before the batch before it was handed on. A reader that
    /// waited to hand on a batch (the merge was waiting on another input) reads late what was written early; a
    /// pause counted from the read made the input quiet a whole idle gap late, and every event with it.
    static func pauseStart(lastWritten: Int64?, notBefore sentAt: Int64) -> Int64 {
        let now = RunControl.now()
        guard let written = lastWritten else { return now }
        let ago = max(0, UTCTime.now() - written)
        return min(now, max(sentAt, now - ago))
    }

    /// Frames batches until the input ends, handing them to `send` numbered in order. A file is read only while it
    /// holds a slot of `budget` (taken by the caller): the slot and the descriptor are given back at the end,
    /// before a send that would wait (the merge may need another input's records first), and when a followed
    /// file has nothing to read; such a file waits on the watcher (or its deadline) and is reopened where it
    /// was left. Once a live input has been quiet for longer than `quietAfter`, it sends one empty batch
    /// marked `endsAtPause` (the joiner then hands on its last record and the batch goes on marked quiet). A
    /// shorter pause changes nothing: the records are exactly those of the same bytes read at once.
    private func read(
        with framer: inout LineFramer, budget: OpenFileBudget?, hasRoom: () -> Bool,
        send: (LineBatch) async -> Void
    ) async -> InputError? {
        var holding = budget != nil
        defer { if holding { budget?.release() } }
        let key = follow == nil ? nil : watcher.watch(spec.path)
        // Without inotify a quiet file is looked at four times a second; with it, every 5 s in case a change
        // was missed (a file system that reports none): 10,000 quiet files cost 2,000 looks a second.
        let recheck: Int64 = watcher.seesChanges ? 5 * UTCTime.second : UTCTime.second / 4
        var index = 0
        // A live input says it is quiet once, even before it had anything to say (an empty followed file).
        var quietMarked = false
        var pauseStart: Int64?
        // When the last batch was handed on (the send may wait while the merge waits on another input). For a file
        // under a rotated name (history there when following began), none yet: its pause counts from its last
        // write, as a run that had read it as it came would have; counted from the start, every restart waited an
        // idle gap again on it, and a crash loop shorter than that never got past it. A live path's pause still
        // counts from the run's start at the earliest: its modification time is the file server's clock, and one
        // behind ours made a file being written quiet at every restart (a helper's trial: requests split).
        var sentAt = follow?.staysOnFile == true ? Int64.min : RunControl.now()
        // The last empty batch of a pause: what the quiet mark is sent as.
        var idle: LineBatch?
        // Bytes read when the pause was last looked at: part of a long line arriving is no pause.
        var bytesSeen = framer.bytesRead
        while true {
            // A source at its end needs no slot: what is left is its last partial line, or nothing.
            if !holding, let budget, !framer.atEnd {
                if framer.sourceIsSuspended, let key {
                    let ticket = watcher.ticket(key)
                    if !framer.sourceMayHaveNews() {
                        let now = RunControl.now()
                        let since = pauseStart ?? now
                        pauseStart = since
                        if !quietMarked && now - since > quietAfter, var batch = idle {
                            batch.index = index
                            batch.endsAtPause = true
                            index += 1
                            await send(batch)
                            quietMarked = true
                        }
                        let deadline = quietMarked ? now + recheck : min(now + recheck, since + quietAfter + 1_000_000)
                        await watcher.wait(key, after: ticket, until: deadline, control: control)
                        continue
                    }
                }
                await budget.acquire()
                holding = true
            }
            do throws(InputError) {
                guard var batch = try framer.nextBatch() else { return nil }
                if framer.atEnd && holding {
                    // The source closed its descriptor at its end.
                    budget?.release()
                    holding = false
                }
                let paused = batch.endsAtPause
                batch.endsAtPause = false
                if batch.lines.isEmpty && paused {
                    idle = batch
                    if holding && budget?.isShort == true && framer.suspendSource() {
                        budget?.release()
                        holding = false
                        continue
                    }
                    let now = RunControl.now()
                    if framer.bytesRead != bytesSeen {
                        // Part of a line came: the writer is still writing; a pause starts from now (from its last
                        // write, for history under a rotated name, whose held last line a restart reads again).
                        bytesSeen = framer.bytesRead
                        pauseStart = follow?.staysOnFile == true ? nil : now
                    }
                    let since =
                        pauseStart ?? Self.pauseStart(lastWritten: framer.sourceLastWritten(), notBefore: sentAt)
                    pauseStart = since
                    if !quietMarked && now - since > quietAfter {
                        batch.index = index
                        batch.endsAtPause = true
                        index += 1
                        await send(batch)
                        quietMarked = true
                    }
                    try? await Task.sleep(nanoseconds: 10_000_000)
                    continue
                }
                quietMarked = false
                bytesSeen = framer.bytesRead
                pauseStart = paused ? Self.pauseStart(lastWritten: framer.sourceLastWritten(), notBefore: sentAt) : nil
                if stopAfter == .frame { continue }
                batch.index = index
                index += 1
                if holding && !hasRoom() && budget?.isShort == true && framer.suspendSource() {
                    budget?.release()
                    holding = false
                }
                // A quiet mark sent later must say where this batch ended, not where an older pause did: the
                // merge takes its end as where the input resumes after a crash.
                idle = LineBatch(
                    input: batch.input, index: 0, bytes: [], lines: [], endOffset: batch.endOffset,
                    endLine: batch.endLine)
                sentAt = RunControl.now()
                await send(batch)
                if let e = framer.pendingError { return e }
            } catch {
                return error
            }
        }
    }

    /// The `.read` cut: reads the input to its end and drops the bytes; returns how many there were.
    private func readOnly() -> (Int64, InputError?) {
        var total: Int64 = 0
        do throws(InputError) {
            var source = try Self.open(spec, control: control)
            defer { source.close() }
            var buffer: [UInt8] = []
            buffer.reserveCapacity(1 << 20)
            while true {
                buffer.removeAll(keepingCapacity: true)
                let n = try source.read(into: &buffer, max: 1 << 20)
                if n == 0 { return (total, nil) }
                total += Int64(n)
            }
        } catch {
            return (total, error)
        }
    }

    private func openFramer() throws(InputError) -> LineFramer {
        let readSize = min(256 << 10, batchBytes)
        guard let follow else {
            let source = try Self.open(spec, control: control, options: options)
            // A CSV file's lines are numbered as in the file, after its header.
            let firstLine = (source as? CSVDocumentSource)?.firstRowLine ?? 1
            return LineFramer(
                source: source, input: index, maxLineBytes: options.maxLineBytes,
                batchBytes: batchBytes, readSize: readSize, startLine: firstLine)
        }
        var source = FollowSource(
            path: spec.path, input: index, pending: follow.files, cumulative: follow.offset, control: control,
            progress: follow.progress)
        if follow.staysOnFile { source.stayOnFirstFile() }
        var framer = LineFramer(
            source: source, input: index, maxLineBytes: options.maxLineBytes, batchBytes: batchBytes,
            readSize: readSize, startLine: follow.line, startOffset: follow.offset)
        framer.keepsPartialAtEnd = true
        return framer
    }

    /// First passes (`resolvedOptions`) running at once, each with one more descriptor open.
    static let yearScans = OpenFileBudget(capacity: 2)

    /// The parse options for this input, its year resolved (`ParseOptions.resolvingYear`). A file whose
    /// first batch of lines holds a syslog time is read once first, through a second descriptor, while the
    /// input is open (`YearlessScan`): its first yearless time's year is pinned so that its years run forward
    /// to a last one at or before its modification time. A file that cannot be read again keeps each time's
    /// own inference.
    private func resolvedOptions() async -> ParseOptions {
        var o = options.resolvingYear(for: spec, streaming: follow != nil)
        guard let reference = o.yearReference, stopAfter == nil else { return o }
        // The input holds its own descriptor: a few first passes at a time stay within the files kept spare.
        await Self.yearScans.acquire()
        defer { Self.yearScans.release() }
        var scan = YearlessScan(timeZone: o.timeZone)
        do throws(InputError) {
            var framer = LineFramer(
                source: try Self.open(spec, control: control), input: index, maxLineBytes: o.maxLineBytes,
                batchBytes: batchBytes)
            while let batch = try framer.nextBatch() {
                batch.bytes.withUnsafeBufferPointer { all in
                    for span in batch.lines {
                        scan.scan(UnsafeBufferPointer(rebasing: all[Int(span.start)..<Int(span.start + span.length)]))
                    }
                }
                // A file whose first lines hold no syslog time keeps each time's own inference.
                if !scan.found { break }
            }
            framer.close()
        } catch {
            return o
        }
        if let first = scan.firstYear(reference: reference) {
            o.assumedYear = first
            o.yearReference = nil
        }
        return o
    }

    /// Parses every line of a batch; over-long lines are rejected as `line_too_long`.
    static func parse(_ batch: LineBatch, with parser: inout LineParser, service: String?, maxLineBytes: Int)
        -> ParsedBatch
    {
        var out = ParsedBatch(capacity: batch.lines.count)
        batch.bytes.withUnsafeBufferPointer { all in
            for span in batch.lines {
                if span.oversizedLength > 0 {
                    out.append(
                        .rejected(
                            .lineTooLong,
                            detail:
                                "line is \(span.oversizedLength) bytes, over the \(maxLineBytes)-byte cap (--max-line-bytes); its first \(span.length) bytes are kept",
                            hint: .none))
                    continue
                }
                let start = Int(span.start)
                let line = UnsafeBufferPointer(rebasing: all[start..<(start + Int(span.length))])
                let position = SourcePosition(input: batch.input, line: span.number, offset: span.offset)
                parser.parse(line, position: position, fileService: service, into: &out)
            }
        }
        return out
    }

    /// Opens an input: gzip detected by its magic bytes; with `options` (auto or json format), a file that
    /// is one JSON document is read as one record a line.
    static func open(_ spec: InputSpec, control: RunControl, options: ParseOptions? = nil) throws(InputError)
        -> any ByteSource
    {
        var raw =
            spec.isStandardInput
            ? FileDescriptorSource(standardInput: (), control: control)
            : try FileDescriptorSource(path: spec.path, control: control)
        var head: [UInt8] = []
        while head.count < 2 {
            if try raw.read(into: &head, max: 2 - head.count) == 0 { break }
        }
        var source: any ByteSource =
            head.count == 2 && head[0] == 0x1f && head[1] == 0x8b
            ? try GzipSource(upstream: raw, name: spec.path, prefix: head) : PrefixedSource(prefix: head, upstream: raw)
        guard let options else { return source }
        if spec.isStandardInput {
            let document = options.format == .auto || options.format == .json
            guard options.refuseBinary || document else { return source }
            return try sniffStandardInput(source, options: options, document: document)
        }
        let document = options.format == .auto || options.format == .json || options.format == .csv
        guard document || options.refuseBinary else { return source }
        // A JSON document (CloudTrail's `{"Records":[…]}`, a pretty-printed array) is re-written as JSON lines.
        let sniff = options.refuseBinary ? BinarySniffer.span : 4096
        var start = try readHead(&source, limit: sniff, untilPause: false)
        if options.refuseBinary, let why = BinarySniffer.reason(start) {
            source.close()
            throw InputError(
                source: spec.path,
                message:
                    "not a log file: \(why); pass --max-dead-letters N to read it line by line anyway"
            )
        }
        // The sniff's buffer was grown for 64 KiB; the prefix kept is only what was read.
        var compact: [UInt8] = []
        compact.reserveCapacity(start.count)
        compact.append(contentsOf: start)
        start = compact
        guard document else { return PrefixedSource(prefix: start, upstream: source) }
        if options.format == .csv || CSVDocumentSource.looksLikeFrappeExport(start) {
            return try CSVDocumentSource(prefix: start, upstream: &source, name: spec.path)
        }
        if JSONDocumentSource.looksLikeDocument(start) {
            return try JSONDocumentSource(
                prefix: start, upstream: &source, name: spec.path, maxDepth: options.maxJSONDepth)
        }
        return PrefixedSource(prefix: start, upstream: source)
    }
}

extension InputStage {
    /// Up to `limit` bytes of `source`'s head (no more than is ready, when `untilPause`). A read error after some
    /// bytes leaves them as the head and `source` one that reports the error next: the lines before a gzip error
    /// are read, then the error is the input's.
    fileprivate static func readHead(
        _ source: inout any ByteSource, limit: Int, untilPause: Bool
    ) throws(InputError) -> [UInt8] {
        var head: [UInt8] = []
        do throws(InputError) {
            while head.count < limit {
                if try source.read(into: &head, max: limit - head.count) == 0 { break }
                if untilPause && source.wouldBlock() { break }
            }
        } catch {
            guard !head.isEmpty else { throw error }
            source = FailedReadSource(error: error, failed: source)
        }
        return head
    }

    /// Standard input with its head checked as a file's is: up to 64 KiB, no more than is ready (a live stream is
    /// not held back waiting for more); refused when binary (`BinarySniffer`), and read whole when it is a JSON
    /// document that names its record array there (`cat trail.json | auditpipe correlate -`).
    fileprivate static func sniffStandardInput(
        _ source: any ByteSource, options: ParseOptions, document: Bool
    ) throws(InputError) -> any ByteSource {
        var source = source
        let start = try readHead(&source, limit: BinarySniffer.span, untilPause: true)
        if document, JSONDocumentSource.looksLikeDocument(start, named: true) {
            return try JSONDocumentSource(prefix: start, upstream: &source, name: "-", maxDepth: options.maxJSONDepth)
        }
        guard options.refuseBinary else { return PrefixedSource(prefix: start, upstream: source) }
        if let why = BinarySniffer.reason(start) {
            source.close()
            throw InputError(
                source: "-",
                message:
                    "standard input is not a log: \(why); pass --max-dead-letters N to read it line by line anyway")
        }
        return PrefixedSource(prefix: Array(start[...]), upstream: source)
    }
}

/// A source that first yields bytes already read (the sniffed magic number), then its upstream.
struct PrefixedSource: ByteSource {
    mutating func wouldBlock() -> Bool { prefix.isEmpty && upstream.wouldBlock() }

    var prefix: [UInt8]
    var upstream: any ByteSource

    var inflates: Bool { upstream.inflates }
    var stopped: Bool { prefix.isEmpty && upstream.stopped }

    mutating func read(into buffer: inout [UInt8], max: Int) throws(InputError) -> Int {
        if !prefix.isEmpty {
            let n = min(max, prefix.count)
            buffer.append(contentsOf: prefix[..<n])
            prefix.removeFirst(n)
            return n
        }
        return try upstream.read(into: &buffer, max: max)
    }

    mutating func suspend() -> Bool { upstream.suspend() }

    var isSuspended: Bool { upstream.isSuspended }

    mutating func mayHaveNews() -> Bool { !prefix.isEmpty || upstream.mayHaveNews() }

    mutating func endedAtEmptyRead() -> Bool { upstream.endedAtEmptyRead() }

    mutating func close() { upstream.close() }
}
