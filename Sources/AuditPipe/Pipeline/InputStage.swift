/// Reads, frames and parses one input: a reader task feeds line batches to `parseWorkers` parser tasks;
/// their results are put back in batch order and continuation lines joined, then sent on `output`.
struct InputStage: Sendable {
    let spec: InputSpec
    let index: Int32
    let options: ParseOptions
    let parseWorkers: Int
    let batchBytes: Int
    let control: RunControl

    /// Runs to the end of the input; finishes `output`. Returns the input's counts and its read error, if any.
    func run(output: BoundedChannel<RecordBatch>) async -> (LineCounts, InputError?) {
        defer { output.finish() }
        let lineBatches = BoundedChannel<LineBatch>(capacity: parseWorkers + 1)
        let parsedBatches = BoundedChannel<(LineBatch, [ParsedLine])>(capacity: parseWorkers + 1)
        let spec = self.spec
        let index = self.index
        let options = self.options
        let workers = parseWorkers
        let batchBytes = self.batchBytes

        return await withTaskGroup(of: (Int64, InputError?).self) { group in
            group.addTask {
                let source: any ByteSource
                do throws(InputError) {
                    source = try Self.open(spec, index: index, control: control)
                } catch {
                    lineBatches.finish()
                    return (0, error)
                }
                var framer = LineFramer(
                    source: source, input: index, maxLineBytes: options.maxLineBytes, batchBytes: batchBytes,
                    readSize: min(256 << 10, batchBytes))
                var failure: InputError?
                while true {
                    do throws(InputError) {
                        guard let batch = try framer.nextBatch() else { break }
                        await lineBatches.send(batch)
                        if let e = framer.pendingError {
                            failure = e
                            break
                        }
                    } catch {
                        failure = error
                        break
                    }
                }
                lineBatches.finish()
                return (framer.bytesRead, failure)
            }
            group.addTask {
                await withTaskGroup(of: Void.self) { parsers in
                    for _ in 0..<workers {
                        parsers.addTask {
                            var parser = LineParser(options: options)
                            let service = spec.fileService
                            for await batch in lineBatches {
                                let parsed = Self.parse(
                                    batch, with: &parser, service: service, maxLineBytes: options.maxLineBytes)
                                await parsedBatches.send((batch, parsed))
                            }
                        }
                    }
                }
                parsedBatches.finish()
                return (0, nil)
            }

            var joiner = ContinuationJoiner(keepMessage: options.includeRecords)
            var waiting: [Int: (LineBatch, [ParsedLine])] = [:]
            var nextIndex = 0
            for await item in parsedBatches {
                waiting[item.0.index] = item
                while let (lines, parsed) = waiting.removeValue(forKey: nextIndex) {
                    nextIndex += 1
                    let batch = joiner.join(parsed, lines: lines)
                    if !batch.records.isEmpty || !batch.deadLetters.isEmpty { await output.send(batch) }
                }
            }
            if let last = joiner.finish() {
                await output.send(RecordBatch(input: index, records: [last], deadLetters: []))
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

    /// Parses every line of a batch; over-long lines are rejected as `line_too_long`.
    static func parse(_ batch: LineBatch, with parser: inout LineParser, service: String?, maxLineBytes: Int)
        -> [ParsedLine]
    {
        var out: [ParsedLine] = []
        out.reserveCapacity(batch.lines.count)
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
                out.append(parser.parse(line, position: position, fileService: service))
            }
        }
        return out
    }

    /// Opens a file or stdin, inflating it when it starts with the gzip magic number (1f 8b).
    static func open(_ spec: InputSpec, index: Int32, control: RunControl) throws(InputError) -> any ByteSource {
        var raw =
            spec.isStandardInput
            ? FileDescriptorSource(standardInput: (), control: control, input: index)
            : try FileDescriptorSource(path: spec.path, control: control, input: index)
        var head: [UInt8] = []
        while head.count < 2 {
            if try raw.read(into: &head, max: 2 - head.count) == 0 { break }
        }
        if head.count == 2, head[0] == 0x1f, head[1] == 0x8b {
            return try GzipSource(upstream: raw, name: spec.path, prefix: head)
        }
        return PrefixedSource(prefix: head, upstream: raw)
    }
}

/// A source that first yields bytes already read (the sniffed magic number), then its upstream.
struct PrefixedSource<Upstream: ByteSource>: ByteSource {
    mutating func wouldBlock() -> Bool { prefix.isEmpty && upstream.wouldBlock() }

    var prefix: [UInt8]
    var upstream: Upstream

    mutating func read(into buffer: inout [UInt8], max: Int) throws(InputError) -> Int {
        if !prefix.isEmpty {
            let n = min(max, prefix.count)
            buffer.append(contentsOf: prefix[..<n])
            prefix.removeFirst(n)
            return n
        }
        return try upstream.read(into: &buffer, max: max)
    }

    mutating func close() { upstream.close() }
}
