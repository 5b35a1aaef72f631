import AuditPipe

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a scenario (or an external baseline) in a child process and reads its peak RSS with `wait4`.
struct ChildRun {
    var seconds: Double
    var records: Int64?
    var events: Int64?
    var maxRSS: Int
    /// What the child printed after its figures (the scenario's wait lines).
    var detail = ""

    /// This executable's path.
    static var selfPath: String {
        var exe = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &exe, exe.count - 1)
        return String(decoding: exe[0..<max(0, n)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func scenario(_ s: Scenario, _ path: String, output: String = "/dev/null") throws -> ChildRun {
        let (out, rss, _) = try spawn([selfPath, "--child", s.rawValue, path, output])
        let lines = out.split(separator: "\n", maxSplits: 1)
        let parts = (lines.first ?? "").split(separator: " ").map(String.init)
        return ChildRun(
            seconds: Double(parts.first ?? "") ?? 0, records: parts.count > 1 ? Int64(parts[1]) : nil,
            events: parts.count > 2 ? Int64(parts[2]) : nil, maxRSS: rss,
            detail: lines.count > 1 ? String(lines[1]) : "")
    }

    static func stages(_ stage: BenchStage, _ path: String) throws -> ChildRun {
        let (out, rss, _) = try spawn([selfPath, "--stages", stage.rawValue, path])
        let parts = out.split(separator: " ").map { String($0.filter { !$0.isNewline }) }
        return ChildRun(
            seconds: Double(parts.first ?? "") ?? 0, records: parts.count > 1 ? Int64(parts[1]) : nil,
            events: parts.count > 2 ? Int64(parts[2]) : nil, maxRSS: rss)
    }

    /// Runs `runs` `repeats` times in turn and keeps, for each of its runs, the one of median time: runs
    /// compared in a ratio are interleaved, so a slow minute of the machine slows them alike.
    static func medians(_ repeats: Int, _ runs: () throws -> [ChildRun]) rethrows -> [ChildRun] {
        var all: [[ChildRun]] = []
        for _ in 0..<max(1, repeats) { all.append(try runs()) }
        return all[0].indices.map { i in
            let sorted = all.map { $0[i] }.sorted { $0.seconds < $1.seconds }
            return sorted[sorted.count / 2]
        }
    }

    static func external(_ argv: [String]) throws -> ChildRun {
        let start = monotonicSeconds()
        let (_, rss, _) = try spawn(argv)
        return ChildRun(seconds: monotonicSeconds() - start, records: nil, events: nil, maxRSS: rss)
    }

    /// Spawns `argv`, returns its stdout, peak RSS in bytes and exit status.
    static func spawn(_ argv: [String]) throws -> (String, Int, Int32) {
        var fds: [Int32] = [0, 0]
        pipe(&fds)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        var pid: pid_t = 0
        let cargs = argv.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        let rc = posix_spawn(&pid, argv[0], &actions, nil, cargs, environ)
        posix_spawn_file_actions_destroy(&actions)
        close(fds[1])
        guard rc == 0 else { throw BenchError(message: "cannot spawn \(argv[0])") }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let k = read(fds[0], &buf, buf.count)
            if k <= 0 { break }
            out.append(contentsOf: buf[0..<k])
        }
        close(fds[0])
        var status: Int32 = 0
        var usage = rusage()
        wait4(pid, &status, 0, &usage)
        return (String(decoding: out, as: UTF8.self), usage.ru_maxrss * 1024, status)
    }
}

struct BenchError: Error {
    var message: String
}
