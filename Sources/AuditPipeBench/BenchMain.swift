import AuditPipe

// mimalloc replaces malloc for the process (Package.swift says why); importing the module links it.
#if canImport(CMimalloc)
    import CMimalloc
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// `auditpipe-bench --index [--quick]` measures the archive index (see `IndexBench`).
/// `auditpipe-bench --stages --callgrind FILE` counts instructions per stage (see `CallgrindStages`).
/// `auditpipe-bench [--size-mb N] [--sizes 50,200,800] [--dir DIR]`: writes demo dumps and measures, in
/// one invocation and on the same bytes, each stage and the whole pipeline against baselines (`cat`,
/// `gzip -dc`, `gzip -6`, `jq`), each scenario in a child process so its peak RSS is its own.
/// BENCHMARKS.md holds the figures and how to read them.
@main
struct BenchMain {
    static let usage = """
        usage: auditpipe-bench [--size-mb N] [--sizes 50,200,800] [--dir DIR] [--repeat N]
               auditpipe-bench --index [--quick]
               auditpipe-bench --pattern-lines [MB]
               auditpipe-bench --stages --callgrind FILE
               auditpipe-bench --stages read|frame|parse|correlate|enrich|jsonl|csv FILE
        Build it with `swift build -c release --product auditpipe-bench`; BENCHMARKS.md explains each figure.
        """

    static func main() async throws {
        let args = CommandLine.arguments
        if args.count >= 3, args[1] == "--child", args[2] == "live-latency" {
            try await LiveLatency.run()
            return
        }
        if args.count >= 4, args[1] == "--child", let scenario = Scenario(rawValue: args[2]) {
            try await scenario.run(path: args[3], output: args.count > 4 ? args[4] : "/dev/null")
            return
        }
        if args.count >= 2, args[1] == "--index" {
            try await IndexBench.run(Array(args.dropFirst(2)))
            return
        }
        if args.count >= 2, args[1] == "--child-index" {
            try IndexBench.child(Array(args.dropFirst(2)))
            return
        }
        if args.count >= 2, args[1] == "--pattern-lines" {
            try await PatternLines.run(megabytes: args.count > 2 ? Int(args[2]) ?? 100 : 100)
            return
        }
        if args.count >= 4, args[1] == "--stages", args[2] == "--callgrind" {
            try CallgrindStages.run(path: args[3])
            return
        }
        if args.count >= 4, args[1] == "--stages", let stage = BenchStage(rawValue: args[2]) {
            try await Scenario.runStages(stage, path: args[3])
            return
        }
        var sizeMB = 200
        var sizes = [50, 200, 800]
        var dir = "/tmp/auditpipe-bench"
        // Each ratio's two runs are repeated, interleaved, and their medians compared: this VM's speed drifts by
        // a fifth between minutes, and one run of each read 0.79× to 1.02× on the same build.
        var repeats = 3
        var i = 1
        while i < args.count {
            let value = i + 1 < args.count ? args[i + 1] : nil
            switch (args[i], value) {
            case ("--size-mb", let v?) where Int(v) != nil: sizeMB = Int(v)!
            case ("--sizes", let v?): sizes = v.split(separator: ",").compactMap { Int($0) }
            case ("--dir", let v?): dir = v
            case ("--repeat", let v?):
                guard let n = Int(v), n > 0 else {
                    let message = "auditpipe-bench: --repeat takes a count of 1 or more (e.g. --repeat 5); got \(v)\n"
                    _ = message.withCString { write(2, $0, strlen($0)) }
                    exit(2)
                }
                repeats = n
            case ("-h", _), ("--help", _):
                print(usage)
                return
            default:
                // An unknown flag is refused rather than taken for a full run (which takes minutes).
                let message = "auditpipe-bench: unknown argument \(args[i])\n\(usage)\n"
                _ = message.withCString { write(2, $0, strlen($0)) }
                exit(2)
            }
            i += 2
        }
        mkdir(dir, 0o755)
        let dump = "\(dir)/demo-\(sizeMB)mb.log"
        let bytes = try DumpFiles.ensureDemo(path: dump, megabytes: sizeMB)
        let mb = Double(bytes) / 1e6
        print("auditpipe-bench: \(String(format1: mb)) MB demo dump (\(dump)), 2 cores, release build")
        print("each ratio's two sides: medians of \(repeats) interleaved runs (--repeat N)")
        print(Report.header)

        // Baselines, and the one pipeline cut after each stage in turn (CPU seconds, as the stages share both
        // cores): a stage's cost is its row minus the row of the cut it adds to (`BenchStage.builtOn`).
        // Through a pipe: GNU cat 9 hands a file to /dev/null without copying it (0.02 s for 254 MB).
        let cat = try ChildRun.external(["/bin/sh", "-c", "cat '\(dump)' | cat > /dev/null"])
        Report.row("baseline: cat", cat.seconds, mb, nil, nil, cat.maxRSS)
        var cutSeconds: [BenchStage: Double] = [:]
        for stage in BenchStage.allCases {
            let r = try ChildRun.stages(stage, dump)
            Report.row("pipeline cut after \(stage.rawValue) (CPU s)", r.seconds, mb, r.records, r.events, r.maxRSS)
            if let base = stage.builtOn, let before = cutSeconds[base] {
                Report.stageCost(stage.rawValue, r.seconds - before, mb)
            }
            cutSeconds[stage] = r.seconds
        }

        // End to end: the staged pipeline on both cores.
        let discard = try ChildRun.scenario(.correlateDiscard, dump)
        Report.row("correlate -> /dev/null", discard.seconds, mb, discard.records, discard.events, discard.maxRSS)
        print(discard.detail, terminator: "")
        // gzip input: inflating on one core while the other parses, against gzip -dc alone.
        let gz = dump + ".gz"
        _ = try ChildRun.external(["/bin/sh", "-c", "test -s '\(gz)' || gzip -6 -c '\(dump)' > '\(gz)'"])
        let decoded = try ChildRun.medians(repeats) {
            [
                try ChildRun.scenario(.correlateJSONL, dump, output: "\(dir)/events.jsonl"),
                try ChildRun.external(["/bin/sh", "-c", "gzip -dc '\(gz)' > /dev/null"]),
                try ChildRun.scenario(.correlateDiscard, gz),
            ]
        }
        let (jsonl, gunzip, fromGz) = (decoded[0], decoded[1], decoded[2])
        Report.row("correlate -> events.jsonl", jsonl.seconds, mb, jsonl.records, jsonl.events, jsonl.maxRSS)
        print("ratio correlate(jsonl) / cat throughput: \(String(format2: cat.seconds / jsonl.seconds))")
        Report.row("baseline: gzip -dc", gunzip.seconds, mb, nil, nil, gunzip.maxRSS)
        print(
            "ratio correlate(jsonl) / gzip -dc throughput: \(String(format2: gunzip.seconds / jsonl.seconds))"
                + " (issue 13 target: 1.25)")
        Report.row("correlate .gz -> /dev/null", fromGz.seconds, mb, fromGz.records, fromGz.events, fromGz.maxRSS)
        print(fromGz.detail, terminator: "")
        print(
            "ratio correlate(.gz) / gzip -dc throughput: \(String(format2: gunzip.seconds / fromGz.seconds))"
                + " (target: 0.85)")
        if let pigz = Self.pigz {
            let unpigz = try ChildRun.external(["/bin/sh", "-c", "'\(pigz)' -dc '\(gz)' > /dev/null"])
            Report.row("baseline: pigz -dc", unpigz.seconds, mb, nil, nil, unpigz.maxRSS)
            print("ratio correlate(.gz) / pigz -dc throughput: \(String(format2: unpigz.seconds / fromGz.seconds))")
        } else {
            print("pigz not installed: no pigz baselines")
        }

        // A filter on JSON lines, against jq on the same bytes.
        let json = "\(dir)/demo-\(sizeMB)mb.json.log"
        // Only the dump's valid JSON lines (jq stops at the first malformed one): whole `{…}` lines of
        // valid UTF-8 without control bytes.
        _ = try ChildRun.external([
            "/bin/sh", "-c",
            "test -s '\(json)' || LC_ALL=C.UTF-8 grep -ax '{.*}' '\(dump)' | LC_ALL=C grep -av -P '[\\x00-\\x1f]' > '\(json)'",
        ])
        let jsonMB = Double(fileSize(json)) / 1e6
        let hasJQ = access("/usr/bin/jq", X_OK) == 0
        let filtered = try ChildRun.medians(repeats) {
            [
                try ChildRun.scenario(.filterRecords, json, output: "\(dir)/alice.jsonl"),
                hasJQ
                    ? try ChildRun.external([
                        "/bin/sh", "-c",
                        "jq -c 'select(.user == \"alice\")' '\(json)' > '\(dir)/alice-jq.jsonl' 2>/dev/null",
                    ]) : ChildRun(seconds: 0, maxRSS: 0),
            ]
        }
        let (filter, jq) = (filtered[0], filtered[1])
        Report.row("filter --records user==alice", filter.seconds, jsonMB, filter.records, filter.events, filter.maxRSS)
        if hasJQ {
            Report.row("baseline: jq select", jq.seconds, jsonMB, nil, nil, jq.maxRSS)
            print("ratio filter / jq throughput: \(String(format2: jq.seconds / filter.seconds)) (target: 10)")
        } else {
            print("jq not installed: no jq baseline")
        }

        // Archive sink: the JSONL just written, as one live day, against gzip -6 on the same bytes.
        let live = "\(dir)/live"
        let archive = "\(dir)/archive"
        _ = try ChildRun.external(["/bin/sh", "-c", "rm -rf '\(live)' '\(archive)' && mkdir -p '\(live)'"])
        let archives = try ChildRun.medians(repeats) {
            // The archive run takes the live day away: each run archives a fresh copy into an empty archive.
            _ = try ChildRun.external(["/bin/sh", "-c", "rm -rf '\(archive)'"])
            _ = try ChildRun.external(["/bin/cp", "\(dir)/events.jsonl", "\(live)/events-2026-11-21.jsonl"])
            return [
                try ChildRun.external(["/bin/sh", "-c", "gzip -6 -c '\(dir)/events.jsonl' > /dev/null"]),
                try ChildRun.scenario(.archive, live, output: archive),
            ]
        }
        let (gzip, archived) = (archives[0], archives[1])
        let jsonlMB = Double(archived.records ?? 0) / 1e6
        Report.row("baseline: gzip -6 (events)", gzip.seconds, jsonlMB, nil, nil, gzip.maxRSS)
        Report.row("archive (sort, gzip -6, verify)", archived.seconds, jsonlMB, nil, archived.events, archived.maxRSS)
        print(
            "ratio archive / gzip -6 throughput on the same JSONL: \(String(format2: gzip.seconds / archived.seconds))"
                + " (target: 1.5)")
        if let pigz = Self.pigz {
            let parallel = try ChildRun.external(["/bin/sh", "-c", "'\(pigz)' -6 -c '\(dir)/events.jsonl' > /dev/null"])
            Report.row("baseline: pigz -6 (events, all cores)", parallel.seconds, jsonlMB, nil, nil, parallel.maxRSS)
            print(
                "ratio archive / pigz -6 throughput on the same JSONL: "
                    + String(format2: parallel.seconds / archived.seconds))
        }
        _ = try ChildRun.external(["/bin/sh", "-c", "rm -rf '\(archive)'"])
        _ = try ChildRun.external(["/bin/cp", "\(dir)/events.jsonl", "\(live)/events-2026-11-21.jsonl"])
        let indexed = try ChildRun.scenario(.archiveIndexed, live, output: archive)
        Report.row("archive + index update", indexed.seconds, jsonlMB, nil, indexed.events, indexed.maxRSS)

        let (latency, _, _) = try ChildRun.spawn([ChildRun.selfPath, "--child", "live-latency"])
        let parts = latency.split(separator: " ").compactMap { Double($0.filter { !$0.isNewline }) }
        if parts.count == 2 {
            print(
                "live stream (quiet open pipe, --idle 1s, \(LiveLatency.requests) requests): event out at idle +"
                    + " \(Int(parts[0] * 1000)) ms median, + \(Int(parts[1] * 1000)) ms max (target: + 250 ms)")
        }

        // Cost grows linearly with the dump: the same run on several sizes.
        // Each size's median of `repeats` runs, the sizes in turn (one run each read 286 MB/s for 800 MB against 370
        // for 200 MB when the writeback of the runs before it was still going; 340 MB/s run alone).
        print("\nsizes (correlate -> events.jsonl, medians of \(repeats)):")
        print(Report.header)
        var megabytes: [Double] = []
        for size in sizes {
            megabytes.append(Double(try DumpFiles.ensureDemo(path: "\(dir)/demo-\(size)mb.log", megabytes: size)) / 1e6)
        }
        let bySize = try ChildRun.medians(repeats) {
            try sizes.map { size in
                let output = "\(dir)/events-\(size).jsonl"
                defer { unlink(output) }
                return try ChildRun.scenario(.correlateJSONL, "\(dir)/demo-\(size)mb.log", output: output)
            }
        }
        for (i, r) in bySize.enumerated() {
            Report.row("\(sizes[i]) MB dump", r.seconds, megabytes[i], r.records, r.events, r.maxRSS)
        }

        // Memory per open group: distinct ids all open at once, against an empty run.
        let empty = try ChildRun.scenario(.empty, "/dev/null")
        print("\nopen groups (empty run \(empty.maxRSS >> 20) MiB):")
        for groups in [1_000, 100_000, 1_000_000] {
            let path = "\(dir)/open-groups-\(groups).log"
            try DumpFiles.ensureOpenGroups(path: path, groups: groups)
            let r = try ChildRun.scenario(.openGroups, path)
            let perGroup = Double(r.maxRSS - empty.maxRSS) / Double(groups)
            print(
                "  \(groups) open: peak RSS \(r.maxRSS >> 20) MiB => \(Int(perGroup)) bytes per open group"
                    + " (\(String(format2: r.seconds)) s)")
        }
    }

    /// `pigz`'s path when it is installed (a baseline for gzip input and the archive on all cores).
    static var pigz: String? {
        ["/usr/bin/pigz", "/usr/local/bin/pigz", "/bin/pigz"].first { access($0, X_OK) == 0 }
    }

    static func fileSize(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }
}
