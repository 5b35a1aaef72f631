#if canImport(Glibc)
    import Glibc
#endif

/// `auditpipe-bench --stages --callgrind FILE`: the pipeline cut after each stage, each run under valgrind's
/// callgrind in its own child, reported as instructions executed (cumulative, and each stage's own as its
/// row minus the one it builds on). Instruction counts hardly move between runs, so a change can be judged
/// on a noisy machine where seconds cannot. Where valgrind cannot run libdispatch's `sigsuspend`, start the
/// bench with `LD_PRELOAD` set to a shim (BENCHMARKS.md): the children inherit the environment.
enum CallgrindStages {
    static func run(path: String) throws {
        guard let valgrind = executable(named: "valgrind") else {
            print("valgrind not installed: no instruction counts (apt-get install valgrind)")
            return
        }
        let dir = "/tmp/auditpipe-bench-callgrind-\(getpid())"
        mkdir(dir, 0o755)
        // Valgrind gives up on the DWARF of a Swift release build: the children run a copy without it.
        var program = ChildRun.selfPath
        defer {
            if program != ChildRun.selfPath { unlink(program) }
            for stage in BenchStage.allCases { unlink("\(dir)/callgrind.\(stage.rawValue).out") }
            rmdir(dir)
        }
        if let objcopy = executable(named: "objcopy") {
            let stripped = "\(dir)/auditpipe-bench"
            let (_, _, status) = try ChildRun.spawn([objcopy, "--strip-debug", program, stripped])
            if status == 0 { program = stripped }
        }
        print("auditpipe-bench: instructions per stage (callgrind), \(path)")
        print("stage cut        instructions     own cost")
        var counts: [BenchStage: Int64] = [:]
        for stage in BenchStage.allCases {
            let out = "\(dir)/callgrind.\(stage.rawValue).out"
            let (_, _, status) = try ChildRun.spawn([
                valgrind, "-q", "--tool=callgrind", "--callgrind-out-file=\(out)", program, "--stages",
                stage.rawValue, path,
            ])
            guard status == 0, let total = totalInstructions(callgrindOutput: out) else {
                print(
                    "\(stage.rawValue): callgrind run failed (wait status \(status)); if valgrind died in"
                        + " sigsuspend, run with LD_PRELOAD set to the shim in BENCHMARKS.md")
                return
            }
            counts[stage] = total
            let base = stage.builtOn.flatMap { counts[$0] }
            let own = base.map { pad(grouped(total - $0), 13) } ?? pad("-", 13)
            print(stage.rawValue.padding(to: 12) + pad(grouped(total), 17) + own)
        }
    }

    /// The `totals:` (or `summary:`) figure of a callgrind output file: instructions executed.
    static func totalInstructions(callgrindOutput path: String) -> Int64? {
        guard let f = fopen(path, "r") else { return nil }
        defer { fclose(f) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        var found: Int64?
        while getline(&line, &capacity, f) > 0, let line {
            let text = String(cString: line)
            for prefix in ["totals:", "summary:"] where text.hasPrefix(prefix) {
                let figure = text.dropFirst(prefix.count).split(separator: " ").first.map(String.init) ?? ""
                found = Int64(figure.filter { !$0.isNewline }) ?? found
            }
        }
        return found
    }

    /// The first executable `name` on `PATH`.
    static func executable(named name: String) -> String? {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") where access("\(dir)/\(name)", X_OK) == 0 {
            return "\(dir)/\(name)"
        }
        return nil
    }

    static func grouped(_ n: Int64) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }

    static func pad(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }
}

extension BenchStage {
    /// The cut this one adds a stage to (the output rows both add their encoder to the enriched run).
    var builtOn: BenchStage? {
        switch self {
        case .read: nil
        case .frame: .read
        case .parse: .frame
        case .correlate: .parse
        case .enrich: .correlate
        case .jsonl, .csv: .enrich
        }
    }
}

extension String {
    func padding(to width: Int) -> String { self + String(repeating: " ", count: max(1, width - count)) }
}
