#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where things live: live files `live/events-YYYY-MM-DD.jsonl`; archives
/// `archive/YYYY/MM/DD/events-YYYY-MM-DD.jsonl.gz` with `manifest.json` beside; pruned days recorded in
/// `archive/pruned.json`.
enum ArchiveLayout {
    /// `events-YYYY-MM-DD.jsonl` for a day (`YYYY-MM-DD`).
    static func liveName(day: String) -> String { "events-\(day).jsonl" }

    /// The file in the live directory that keeps a day's conflicting lines (an archived event's id, other
    /// content): not a live name, so no run archives it.
    static func conflictsName(day: String) -> String { "conflicts-\(day).jsonl" }

    /// The file in the live directory that keeps lines a live file brought for a day retention already
    /// pruned (its manifest is in the pruned record, so the day cannot be archived again): not a live name.
    static func lateName(day: String) -> String { "late-\(day).jsonl" }

    /// The directory of a day in the archive.
    static func dayDirectory(_ root: String, day: String) -> String {
        let p = day.split(separator: "-")
        return "\(root)/\(p[0])/\(p[1])/\(p[2])"
    }

    static func archiveFile(_ root: String, day: String) -> String {
        "\(dayDirectory(root, day: day))/events-\(day).jsonl.gz"
    }

    static func manifestFile(_ root: String, day: String) -> String { "\(dayDirectory(root, day: day))/manifest.json" }

    static func prunedFile(_ root: String) -> String { "\(root)/pruned.json" }

    /// The day (`YYYY-MM-DD`) of a live file name, or nil.
    static func day(ofLiveName name: String) -> String? {
        guard name.hasPrefix("events-"), name.hasSuffix(".jsonl"), name.utf8.count == 23 else { return nil }
        let day = String(name.dropFirst(7).dropLast(6))
        return isDay(day) ? day : nil
    }

    /// True for `YYYY-MM-DD` with digits where they belong.
    static func isDay(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return false }
        return b.enumerated().allSatisfy { i, c in i == 4 || i == 7 || (c >= 48 && c <= 57) }
    }

    /// The UTC day of a time in nanoseconds.
    static func day(of ns: Int64) -> String { String(UTCTime.rfc3339Millis(ns).prefix(10)) }

    /// Days that have an archive directory (a `YYYY/MM/DD` path under `root`), sorted.
    static func archivedDays(_ root: String) -> [String] {
        var days: [String] = []
        for y in entries(root) where y.utf8.count == 4 {
            for m in entries("\(root)/\(y)") where m.utf8.count == 2 {
                for d in entries("\(root)/\(y)/\(m)") where d.utf8.count == 2 {
                    let day = "\(y)-\(m)-\(d)"
                    if isDay(day) { days.append(day) }
                }
            }
        }
        return days.sorted()
    }

    /// Names in a directory (no `.`/`..`), sorted; empty when it cannot be read.
    static func entries(_ dir: String) -> [String] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) {
                String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Creates a directory and its parents; the error of the first that could not be made, or 0 when the
    /// directory is there after.
    @discardableResult
    static func makeDirectories(_ path: String) -> Int32 {
        var current = path.hasPrefix("/") ? "" : "."
        var failure: Int32 = 0
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST && failure == 0 { failure = errno }
        }
        var st = stat()
        guard stat(path, &st) == 0 else { return failure == 0 ? errno : failure }
        return (st.st_mode & S_IFMT) == S_IFDIR ? 0 : (failure == 0 ? ENOTDIR : failure)
    }
}
