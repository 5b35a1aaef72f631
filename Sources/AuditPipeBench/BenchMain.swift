import AuditPipe

#if canImport(Glibc)
    import Glibc
#endif

/// `auditpipe-bench [--size-mb N] [--dir DIR]`: writes a demo dump and measures each stage against baselines
/// run in the same invocation (`cat`, auditpipe's own read+frame), each scenario in a child process.
@main
struct BenchMain {
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
        var sizeMB = 200
        var dir = "/tmp/auditpipe-bench"
        var i = 1
        while i + 1 < args.count {
            if args[i] == "--size-mb" { sizeMB = Int(args[i + 1]) ?? sizeMB }
            if args[i] == "--dir" { dir = args[i + 1] }
            i += 2
        }
        mkdir(dir, 0o755)
        let dump = "\(dir)/demo-\(sizeMB)mb.log"
        let bytes = try DumpFiles.ensureDemo(path: dump, megabytes: sizeMB)
        let groupsDump = "\(dir)/open-groups-1m.log"
        try DumpFiles.ensureOpenGroups(path: groupsDump, groups: 1_000_000)
        let mb = Double(bytes) / 1e6
        print("auditpipe-bench: \(String(format1: mb)) MB demo dump (\(dump)), 2 cores, release build")
        print("scenario                       seconds     MB/s    records/s     events/s   peak RSS")

        let cat = try ChildRun.external(["/bin/sh", "-c", "cat '\(dump)' > /dev/null"])
        Report.row("baseline: cat", cat.seconds, mb, nil, nil, cat.maxRSS)
        let frame = try ChildRun.scenario(.readFrame, dump)
        Report.row("baseline: read+frame", frame.seconds, mb, frame.records, nil, frame.maxRSS)
        let discard = try ChildRun.scenario(.correlateDiscard, dump)
        Report.row("correlate -> /dev/null", discard.seconds, mb, discard.records, discard.events, discard.maxRSS)
        let jsonl = try ChildRun.scenario(.correlateJSONL, dump, output: "\(dir)/events.jsonl")
        Report.row("correlate -> events.jsonl", jsonl.seconds, mb, jsonl.records, jsonl.events, jsonl.maxRSS)
        print("ratio correlate(/dev/null) / read+frame throughput: \(String(format2: frame.seconds / discard.seconds))")
        print("ratio correlate(jsonl) / cat throughput: \(String(format2: cat.seconds / jsonl.seconds))")

        // Archive sink: the JSONL just written, as one live day, against gzip -6 on the same bytes.
        let live = "\(dir)/live"
        let archive = "\(dir)/archive"
        _ = try ChildRun.external(["/bin/sh", "-c", "rm -rf '\(live)' '\(archive)' && mkdir -p '\(live)'"])
        _ = try ChildRun.external(["/bin/cp", "\(dir)/events.jsonl", "\(live)/events-2026-11-21.jsonl"])
        let gzip = try ChildRun.external(["/bin/sh", "-c", "gzip -6 -c '\(dir)/events.jsonl' > /dev/null"])
        let archived = try ChildRun.scenario(.archive, live, output: archive)
        let jsonlMB = Double(archived.records ?? 0) / 1e6
        Report.row("baseline: gzip -6 (events)", gzip.seconds, jsonlMB, nil, nil, gzip.maxRSS)
        Report.row("archive (sort, gzip -6, verify)", archived.seconds, jsonlMB, nil, archived.events, archived.maxRSS)
        print(
            "ratio archive / gzip -6 throughput on the same JSONL: \(String(format2: gzip.seconds / archived.seconds))")

        let (latency, _, _) = try ChildRun.spawn([ChildRun.selfPath, "--child", "live-latency"])
        let parts = latency.split(separator: " ").compactMap { Double($0.filter { !$0.isNewline }) }
        if parts.count == 2 {
            print(
                "live stream (quiet open pipe, --idle 1s, \(LiveLatency.requests) requests): event out at idle +"
                    + " \(Int(parts[0] * 1000)) ms median, + \(Int(parts[1] * 1000)) ms max (target: + 250 ms)")
        }

        let empty = try ChildRun.scenario(.empty, "/dev/null")
        let groups = try ChildRun.scenario(.openGroups, groupsDump)
        let perGroup = Double(groups.maxRSS - empty.maxRSS) / 1_000_000
        print(
            "open groups: 1,000,000 distinct ids held open: peak RSS \(groups.maxRSS >> 20) MiB"
                + " (empty run \(empty.maxRSS >> 20) MiB) => \(Int(perGroup)) bytes per open group"
                + " (\(String(format2: groups.seconds)) s)")
    }
}
