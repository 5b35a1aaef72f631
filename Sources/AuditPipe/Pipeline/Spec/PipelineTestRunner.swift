import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs a pipeline file's `tests:` cases (as `vector test` does): each case's input lines go through the
/// pipeline's parse, correlation, enrichment and filter, and the events that come out are compared with
/// the expected fields.
public enum PipelineTestRunner {
    /// The result of one case.
    public struct Outcome: Sendable {
        public var name: String
        public var line: Int
        /// Mismatches, empty when the case passed.
        public var failures: [String]
        public var passed: Bool { failures.isEmpty }
    }

    /// Runs every case of `spec`.
    public static func run(_ spec: PipelineSpec) async -> [Outcome] {
        var out: [Outcome] = []
        for t in spec.tests { out.append(await run(t, options: spec.options)) }
        return out
    }

    static func run(_ t: PipelineSpec.TestCase, options: PipelineOptions) async -> Outcome {
        var outcome = Outcome(name: t.name, line: t.line, failures: [])
        var template = Array("/tmp/auditpipe-test-XXXXXX".utf8CString)
        guard
            let dir = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }).map({ String(cString: $0) })
        else {
            outcome.failures.append("cannot create a temporary directory")
            return outcome
        }
        let path = dir + "/" + t.file
        defer {
            unlink(path)
            rmdir(dir)
        }
        do {
            let f = try OutputFile(path: path)
            try f.write(Array(t.input.map { $0 + "\n" }.joined().utf8))
            try f.close()
        } catch {
            outcome.failures.append("cannot write the test input: \(error)")
            return outcome
        }
        let sink = CollectingSink()
        let rejected = RejectedLines()
        do {
            _ = try await Pipeline(inputs: [path], options: options).run(
                sink: sink, deadLetter: { d throws(OutputError) in rejected.add(d) })
        } catch {
            outcome.failures.append("the run failed: \(error)")
            return outcome
        }
        for d in rejected.all {
            outcome.failures.append(
                "input line \(d.position.line) was dead-lettered (\(d.reason.rawValue): \(d.detail))")
        }
        let events = sink.events
        if let n = t.events, n != events.count {
            outcome.failures.append("expected \(n) events, got \(events.count)")
        }
        if t.expect.count > events.count {
            outcome.failures.append("expected at least \(t.expect.count) events, got \(events.count)")
        }
        for (i, fields) in t.expect.enumerated() where i < events.count {
            for (field, want) in fields {
                let full = resolve(field)
                let got = events[i].value(at: full) ?? .null
                if !same(got, want) {
                    outcome.failures.append(
                        "event \(i + 1) \(field): expected \(text(want)), got \(text(got))")
                }
            }
        }
        return outcome
    }

    static func text(_ v: JSONValue) -> String {
        var w = JSONWriter()
        w.value(v)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// A shorthand (`user`, `status`) as its full path.
    static func resolve(_ field: String) -> [String] {
        var parts = field.split(separator: ".").map(String.init)
        if let head = parts.first, let full = FieldCatalog.eventShorthands[head] {
            parts = full.split(separator: ".").map(String.init) + parts.dropFirst()
        }
        return parts
    }

    /// Equal values; scalars compare by their text (`200` matches `"200"`).
    static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy(same)
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && same($0.value, $1.value) }
        case (.null, .null): return true
        default:
            guard let s = a.scalarText, let t = b.scalarText else { return false }
            return s == t
        }
    }
}

/// Keeps every event written (the sink stage is its only writer).
final class CollectingSink: EventSink, @unchecked Sendable {
    private(set) var events: [AuditEvent] = []
    func write(_ events: [AuditEvent]) throws(OutputError) { self.events += events }
    func write(records: [JSONValue]) throws(OutputError) {}
    func flush() throws(OutputError) {}
    func close() throws(OutputError) {}
}

/// Dead letters of a test run, gathered from the parse tasks.
final class RejectedLines: Sendable {
    private let lines = Mutex<[DeadLetter]>([])
    func add(_ d: DeadLetter) { lines.withLock { $0.append(d) } }
    var all: [DeadLetter] { lines.withLock { $0 } }
}
