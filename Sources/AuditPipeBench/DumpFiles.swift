import AuditPipe

#if canImport(Glibc)
    import Glibc
#endif

/// Writes the benchmark's input files once and reuses them.
enum DumpFiles {
    /// A demo dump of at least `megabytes` MB; returns its size.
    static func ensureDemo(path: String, megabytes: Int) throws -> Int {
        var st = stat()
        if stat(path, &st) == 0, Int(st.st_size) >= megabytes * 1_000_000 { return Int(st.st_size) }
        let out = try OutputFile(path: path)
        var generator = DemoGenerator(requests: megabytes * 1_000_000 / 1100 + 1000, seed: 2026)
        try generator.run { try out.write($0) }
        try out.close()
        stat(path, &st)
        return Int(st.st_size)
    }

    /// One record per request id, all within a second, so every group is open at once.
    static func ensureOpenGroups(path: String, groups: Int) throws {
        var st = stat()
        if stat(path, &st) == 0, st.st_size > 0 { return }
        let out = try OutputFile(path: path)
        var rng = SplitMix64(seed: 9)
        for k in 0..<groups {
            let line =
                "{\"ts\":\(1_795_255_200_000_000 + k / 1000),\"level\":\"info\",\"msg\":\"open\",\"service\":\"svc-\(k % 7)\",\"request_id\":\"\(rng.hex(32))\"}\n"
            try out.write(Array(line.utf8))
        }
        try out.close()
    }
}

/// Prints aligned result rows.
enum Report {
    static let header = "scenario                       seconds     MB/s    records/s     events/s   peak RSS"

    /// One stage's own cost: the difference between consecutive cumulative rows.
    static func stageCost(_ name: String, _ seconds: Double, _ mb: Double) {
        // Two runs' difference: a stage cheaper than the runs' spread reads as nothing, not as a negative cost.
        guard seconds > 0.001 else {
            print("    (\(name) alone: within the runs' spread, \(String(format2: seconds)) s)")
            return
        }
        print("    (\(name) alone: \(String(format2: seconds)) s, \(String(format1: mb / seconds)) MB/s)")
    }

    static func row(_ name: String, _ seconds: Double, _ mb: Double, _ records: Int64?, _ events: Int64?, _ rss: Int) {
        let pad = { (s: String, w: Int) in String(repeating: " ", count: max(0, w - s.count)) + s }
        let rate = { (n: Int64?) in n.map { pad(String(Int(Double($0) / seconds)), 12) } ?? pad("-", 12) }
        print(
            name + String(repeating: " ", count: max(1, 28 - name.count)) + pad(String(format2: seconds), 9)
                + pad(String(format1: mb / seconds), 9) + " " + rate(records) + " " + rate(events)
                + pad("\(rss >> 20) MiB", 11))
    }
}

extension String {
    init(format1 v: Double) { self = v.isFinite ? String(Double(Int(v * 10)) / 10) : "-" }
    init(format2 v: Double) { self = v.isFinite ? String(Double(Int(v * 100)) / 100) : "-" }
}
