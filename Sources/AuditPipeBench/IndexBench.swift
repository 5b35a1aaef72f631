import AuditPipe

#if canImport(Glibc)
    import Glibc
#endif

/// `auditpipe-bench --index [--quick] [--rebuild] [--days N] [--per-day N] [--dir DIR]`: an archive of N
/// days of demo events (30 × 50,000 requests by default, 30 × 5,000 with --quick; generated once into DIR
/// and kept), its index built (and timed) when new or with --rebuild, then the first page (50 events) of a selective filter, and of free text, answered
/// through IndexedCatalog and through the scan (`query --scan`), each in its own child process so the
/// wall time and peak RSS are its own.
enum IndexBench {
    /// The selective filter of the first-page figure.
    static let filter = #"user == "grace" and action == "export" and status == 4xx"#
    /// The free-text query of the second figure (with a user filter).
    static let text = "export csv"
    static let textFilter = #"user == "heidi""#

    static func run(_ args: [String]) async throws {
        var days = 30
        var perDay = 50_000
        var rebuild = false
        var dir = "/tmp/auditpipe-bench"
        var i = 0
        while i < args.count {
            switch args[i] {
            case "--quick": perDay = 5_000
            case "--rebuild": rebuild = true
            case "--days" where i + 1 < args.count:
                days = Int(args[i + 1]) ?? days
                i += 1
            case "--per-day" where i + 1 < args.count:
                perDay = Int(args[i + 1]) ?? perDay
                i += 1
            case "--dir" where i + 1 < args.count:
                dir = args[i + 1]
                i += 1
            default: break
            }
            i += 1
        }
        let base = "\(dir)/index-\(days)x\(perDay)"
        let archive = "\(base)/archive"
        mkdir(dir, 0o755)
        mkdir(base, 0o755)
        if access("\(archive)/\(ArchiveIndex.fileName)", F_OK) != 0 {
            let start = monotonicSeconds()
            try await generate(base: base, days: days, perDay: perDay)
            print(
                "archive generated: \(days) days x \(perDay) requests in \(String(format1: monotonicSeconds() - start)) s"
            )
        }
        var indexMB = Double(fileSize(ArchiveIndex.path(archive: archive))) / 1e6
        if rebuild || !ArchiveIndex.isCurrent(archive: archive) {
            let build = monotonicSeconds()
            let update = try ArchiveIndex.update(archive: archive, rebuild: true)
            let buildSeconds = monotonicSeconds() - build
            indexMB = Double(fileSize(ArchiveIndex.path(archive: archive))) / 1e6
            let gzMB = Double(duSize(archive) - fileSize(ArchiveIndex.path(archive: archive))) / 1e6
            print(
                "index: \(update.eventsIndexed) events in \(update.daysIndexed.count) days built in \(String(format1: buildSeconds)) s; index.sqlite \(String(format1: indexMB)) MB beside \(String(format1: gzMB)) MB of gzip"
            )
        } else {
            print("index: current (\(String(format1: indexMB)) MB), kept (--rebuild to time a build)")
        }
        for (name, filter, text) in [("selective filter", filter, ""), ("free text + user", textFilter, text)] {
            let scan = try measure(archive, mode: "scan", filter: filter, text: text)
            let index = try measure(archive, mode: "index", filter: filter, text: text)
            print(
                "first page (50) of \(name) [\(filter)\(text.isEmpty ? "" : " text \"\(text)\"")]: \(index.total) matches"
            )
            print(
                "  index: \(String(format3: index.seconds)) s, peak RSS \(index.rss >> 20) MiB; scan: \(String(format3: scan.seconds)) s, peak RSS \(scan.rss >> 20) MiB; ratio \(String(format1: scan.seconds / index.seconds))x (target >= 20x)"
            )
            if index.total != scan.total || index.digest != scan.digest {
                print("  MISMATCH: index and scan disagree (\(index.total) vs \(scan.total))")
            }
        }
    }

    /// One first page in a child process: its wall time, total, a digest of the page and the peak RSS.
    static func measure(_ archive: String, mode: String, filter: String, text: String) throws -> (
        seconds: Double, total: Int, digest: String, rss: Int
    ) {
        // The child reads its own peak RSS (VmHWM): wait4 charges a posix_spawned child its parent's peak.
        let (out, _, status) = try ChildRun.spawn(
            [ChildRun.selfPath, "--child-index", mode, archive, filter, text])
        let parts = out.split(separator: " ").map { String($0.filter { !$0.isNewline }) }
        guard status == 0, parts.count == 4, let seconds = Double(parts[0]), let total = Int(parts[1]),
            let rss = Int(parts[3])
        else {
            throw BenchError(message: "the \(mode) child failed: \(out)")
        }
        return (seconds, total, parts[2], rss)
    }

    /// The child: opens the catalog and answers the first page.
    static func child(_ args: [String]) throws {
        guard args.count >= 3 else { throw BenchError(message: "--child-index MODE ARCHIVE FILTER [TEXT]") }
        let start = monotonicSeconds()
        let catalog: any EventCatalog =
            args[0] == "index" ? try IndexedCatalog(archive: args[1]) : ScanCatalog(root: args[1])
        let query = CatalogQuery(
            filter: try FilterParser.parse(args[2]), text: args.count > 3 && !args[3].isEmpty ? args[3] : nil)
        let page = try catalog.page(query, limit: 50, after: nil)
        let seconds = monotonicSeconds() - start
        var h: UInt64 = 14_695_981_039_346_656_037
        for e in page.events {
            for b in e.line { h = (h ^ UInt64(b)) &* 1_099_511_628_211 }
        }
        print("\(seconds) \(page.total) \(String(h, radix: 16)) \(peakRSS())")
    }

    /// Demo requests per day, correlated into live files a day at a time, then one archive run.
    static func generate(base: String, days: Int, perDay: Int) async throws {
        let live = "\(base)/live"
        mkdir(live, 0o755)
        let firstDay: Int64 = 1_793_491_200  // 2026-11-01
        for d in 0..<days {
            let log = "\(base)/day.log"
            let fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            var g = DemoGenerator(
                requests: perDay, seed: UInt64(d + 1), start: (firstDay + Int64(d) * 86_400 + 3_600) * UTCTime.second)
            g.run { chunk in _ = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } }
            close(fd)
            let pipeline = Pipeline(
                inputs: [log], options: PipelineOptions(), outputs: [PipelineSpec.Output(kind: .archive, path: live)])
            _ = try await pipeline.run()
            unlink(log)
        }
        var options = ArchiveRun.Options(
            liveDirectory: live, archiveDirectory: "\(base)/archive",
            now: (firstDay + Int64(days + 2) * 86_400) * UTCTime.second)
        options.updateIndex = false
        _ = try ArchiveRun(options: options).run()
        _ = try ArchiveIndex.update(archive: "\(base)/archive")
    }

    /// This process's peak resident set in bytes, from /proc/self/status.
    static func peakRSS() -> Int {
        guard let f = fopen("/proc/self/status", "r") else { return 0 }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), f) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("VmHWM:") { return (Int(text.filter(\.isNumber)) ?? 0) * 1024 }
        }
        return 0
    }

    static func fileSize(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }

    /// Bytes under a directory (following the day links), via du.
    static func duSize(_ dir: String) -> Int {
        let (out, _, _) = (try? ChildRun.spawn(["/usr/bin/du", "-sLb", dir])) ?? ("0", 0, 0)
        return Int(out.split(separator: "\t").first ?? "0") ?? 0
    }
}

extension String {
    init(format3 v: Double) { self = v.isFinite ? String(Double(Int(v * 1000)) / 1000) : "-" }
}
