import AuditPipe

#if canImport(Glibc)
    import Glibc
#endif

/// `auditpipe-bench --pattern-lines [MB]`: the parse stage's throughput on text lines read with a typical
/// five-group text pattern (grok, and the same as a plain regex), against the built-in text parser: the
/// pipeline cut after framing and after parsing, one parser task, CPU seconds; parse MB/s per core is the
/// bytes over the difference.
enum PatternLines {
    static let grok =
        #"%{TIMESTAMP_ISO8601:time} %{LOGLEVEL:level} %{WORD:service} \[req-%{UUID:request_id}\] %{GREEDYDATA:message}"#
    static let regex =
        #"^(?<time>\S+) (?<level>[A-Z]+) (?<service>\w+) \[req-(?<request_id>[0-9a-fA-F-]{36})\] (?<message>.*)$"#

    static func run(megabytes: Int) async throws {
        let path = "/tmp/auditpipe-bench/pattern-lines-\(megabytes)mb.log"
        mkdir("/tmp/auditpipe-bench", 0o755)
        let bytes = try write(path: path, megabytes: megabytes)
        let mb = Double(bytes) / 1e6
        print("pattern lines: \(String(format1: mb)) MB (\(path)), one parser task")
        // The pattern alone, over the file in memory: matching only, then matching and building records.
        let text = try readAll(path)
        for (name, source) in [("grok", grok), ("regex", regex)] {
            let pattern = try TextPattern(source)
            for build in [false, true] {
                let before = cpuSeconds()
                let n = text.withUnsafeBufferPointer { pattern.benchmarkLines($0, buildRecords: build) }
                let seconds = cpuSeconds() - before
                print(
                    "\(name) pattern, \(build ? "match and build records" : "match only"): \(String(format1: mb / seconds)) MB/s per core (\(n) lines matched, \(String(format1: seconds)) CPU s)"
                )
            }
        }
        let frame = try await cut(.frame, path: path, patterns: [])
        for (name, patterns) in [
            ("built-in text parser", [String]()), ("grok pattern", [grok]), ("regex pattern", [regex]),
        ] {
            let parse = try await cut(.parse, path: path, patterns: patterns)
            let seconds = parse.seconds - frame.seconds
            print(
                "\(name): parse \(String(format1: mb / seconds)) MB/s per core (\(parse.records) records; cut after parse \(String(format1: parse.seconds)) CPU s, after frame \(String(format1: frame.seconds)) CPU s)"
            )
        }
    }

    static func cut(_ stage: PipelineStage, path: String, patterns: [String]) async throws -> (
        seconds: Double, records: Int64
    ) {
        var options = PipelineOptions()
        options.parseWorkers = 1
        options.parse.format = .text
        options.parse.textPatterns = try patterns.map { try TextPattern($0) }
        var pipeline = Pipeline(inputs: [path], options: options)
        pipeline.stopAfter = stage
        let before = cpuSeconds()
        let stats = try await pipeline.run(sink: try SinkFactory.open([], records: false)) { _ in }
        return (cpuSeconds() - before, Int64(stats.lines.records))
    }

    static func readAll(_ path: String) throws -> [UInt8] {
        guard let f = fopen(path, "rb") else { throw BenchError(message: "cannot read \(path)") }
        defer { fclose(f) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = fread(&chunk, 1, chunk.count, f)
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    /// Writes `… DEBUG orders [req-<uuid>] sql query …` lines up to `megabytes` (once); returns the size.
    static func write(path: String, megabytes: Int) throws -> Int {
        var st = stat()
        if stat(path, &st) == 0, Int(st.st_size) >= megabytes * 1_000_000 { return Int(st.st_size) }
        guard let f = fopen(path, "w") else { throw BenchError(message: "cannot write \(path)") }
        defer { fclose(f) }
        var state: UInt64 = 7
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let levels = ["DEBUG", "INFO", "WARN", "ERROR"]
        let services = ["orders", "billing", "inventory", "auth"]
        var total = 0
        var ms = 0
        while total < megabytes * 1_000_000 {
            let a = String(next(), radix: 16).leftPadded(16)
            let b = String(next(), radix: 16).leftPadded(16)
            let c = Array(a + b)
            let uuid =
                "\(String(c[0..<8]))-\(String(c[8..<12]))-\(String(c[12..<16]))-\(String(c[16..<20]))-\(String(c[20..<32]))"
            ms += 3
            let s = ms / 1000
            let time = "2024-05-14T\(two(9 + s / 3600 % 14)):\(two(s / 60 % 60)):\(two(s % 60)).\(three(ms % 1000))Z"
            let r = Int(next() % 4)
            let line =
                "\(time) \(levels[r]) \(services[r]) [req-\(uuid)] sql query select * from \(services[r]) where id=\(next() % 100_000) took=\(next() % 900)ms\n"
            fputs(line, f)
            total += line.utf8.count
        }
        return total
    }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    static func three(_ n: Int) -> String { n < 10 ? "00\(n)" : n < 100 ? "0\(n)" : "\(n)" }
}

extension String {
    fileprivate func leftPadded(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
