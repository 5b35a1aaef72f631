import Foundation
import Testing

@testable import AuditPipe

/// An archive day is cut into gzip members, each deflated and checked (inflated, compared) by the worker
/// that made it, and streamed to disk in order: damage in a member stops the run before anything is
/// published or the live file deleted, and a day cut into many members reads back as its merged lines.
struct ArchiveMemberTests {
    static let day = "2026-11-01"
    /// 2026-11-01T00:00:00Z in nanoseconds, and a run long after it.
    static let now = (1_793_491_200 + 3 * 86_400) * UTCTime.second

    /// An event line as auditpipe writes it (event_id first, then request_id, then start), padded so lines
    /// vary in length; `slow` writes the keys in another order (not auditpipe's, parsed as JSON).
    static func line(_ i: Int, slow: Bool = false) -> String {
        let id = String(format: "%032x", i &* 2_654_435_761 & 0xffff_ffff)
        let start = String(
            format: "\(day)T%02d:%02d:%02d.%03dZ", (i / 3600) % 24, (i / 60) % 60, i % 60, i % 1000)
        let pad = String(repeating: "x", count: (i * 37) % 300)
        if slow {
            return #"{"start":"\#(start)","event_id":"\#(id)","request_id":"r\#(i)","pad":"\#(pad)"}"#
        }
        return #"{"event_id":"\#(id)","request_id":"r\#(i)","start":"\#(start)","end":"\#(start)","pad":"\#(pad)"}"#
    }

    /// Lines mostly in order with local jitter, a few far out of place, and some written twice.
    static func liveLines(count: Int, slow: Bool = false) -> [String] {
        var lines = (0..<count).map { line($0, slow: slow && $0 % 50 == 7) }
        for i in stride(from: 0, to: count - 3, by: 5) { lines.swapAt(i, i + 3) }
        for i in stride(from: 0, to: count / 2, by: 997) { lines.swapAt(i, count - 1 - i) }
        lines += stride(from: 0, to: count, by: 101).map { line($0, slow: slow && $0 % 50 == 7) }
        return lines
    }

    /// What the archive must hold: lines sorted by start then event id, the first of each id kept.
    static func merged(_ lines: [String]) -> [UInt8] {
        var seen = Set<String>()
        let keyed = lines.map { l -> (String, String, String) in
            let (start, id) = EventLineKey.of(Array(l.utf8))!
            return (start, id, l)
        }
        var out: [UInt8] = []
        for (_, id, l) in keyed.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) where seen.insert(id).inserted {
            out += Array(l.utf8) + [10]
        }
        return out
    }

    static func writeLive(_ lines: [String], in dir: URL) throws -> String {
        let live = dir.appendingPathComponent("live")
        try FileManager.default.createDirectory(at: live, withIntermediateDirectories: true)
        let path = live.appendingPathComponent(ArchiveLayout.liveName(day: day)).path
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func options(_ dir: URL, memberBytes: Int, damage: Int? = nil) -> ArchiveRun.Options {
        var o = ArchiveRun.Options(
            liveDirectory: dir.appendingPathComponent("live").path,
            archiveDirectory: dir.appendingPathComponent("archive").path, now: now)
        o.updateIndex = false
        o.memberBytes = memberBytes
        o.damageMember = damage
        return o
    }

    static func archived(_ dir: URL) throws -> [UInt8] {
        let gz = ArchiveLayout.archiveFile(dir.appendingPathComponent("archive").path, day: day)
        return try GzipMembers.inflate(FileBytes.read(gz) ?? [], name: gz)
    }

    @Test(arguments: [false, true])
    func dayCutIntoManyMembersVerifiesAndReadsBackAsItsMergedLines(slow: Bool) throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // ~3 MB: lines cross the 1 MiB blocks the live file is scanned and read in.
        let lines = Self.liveLines(count: 12_000, slow: slow)
        let livePath = try Self.writeLive(lines, in: dir)
        let report = try ArchiveRun(options: Self.options(dir, memberBytes: 2_000)).run()
        #expect(report.daysArchived == [Self.day])
        #expect(report.duplicatesDropped == 119)
        #expect(!FileManager.default.fileExists(atPath: livePath))
        let archive = dir.appendingPathComponent("archive").path
        if case .failure(let failure) = ArchiveVerifier.verify(root: archive) {
            Issue.record("verify: \(failure)")
        }
        let expected = Self.merged(lines)
        #expect(try Self.archived(dir) == expected)
        // Many members: the same day as one member is smaller.
        let many = report.compressedBytes
        let again = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: again) }
        _ = try Self.writeLive(lines, in: again)
        let one = try ArchiveRun(options: Self.options(again, memberBytes: 64 << 20)).run()
        #expect(many > one.compressedBytes + 500 * 18)
        #expect(try Self.archived(again) == expected)
    }

    @Test func damagedMemberIsCaughtBeforeTheDayIsPublishedOrTheLiveFileDeleted() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let livePath = try Self.writeLive(Self.liveLines(count: 2_000), in: dir)
        #expect(throws: ArchiveRunError.self) {
            try ArchiveRun(options: Self.options(dir, memberBytes: 4_000, damage: 5)).run()
        }
        #expect(FileManager.default.fileExists(atPath: livePath))
        let archive = dir.appendingPathComponent("archive").path
        #expect(ArchiveLayout.archivedDays(archive).isEmpty)
        let month = archive + "/2026/11"
        #expect(ArchiveLayout.entries(month).isEmpty, "\(ArchiveLayout.entries(month))")
        // The next run, undamaged, archives the day.
        let report = try ArchiveRun(options: Self.options(dir, memberBytes: 4_000)).run()
        #expect(report.daysArchived == [Self.day])
        #expect(!FileManager.default.fileExists(atPath: livePath))
    }

    @Test func damagedMemberLeavesTheDayAlreadyArchivedAsItWas() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = Array(Self.liveLines(count: 1_500).prefix(1_000))
        _ = try Self.writeLive(first, in: dir)
        _ = try ArchiveRun(options: Self.options(dir, memberBytes: 4_000)).run()
        let before = try Self.archived(dir)
        let livePath = try Self.writeLive(Self.liveLines(count: 1_500), in: dir)
        #expect(throws: ArchiveRunError.self) {
            try ArchiveRun(options: Self.options(dir, memberBytes: 4_000, damage: 0)).run()
        }
        #expect(FileManager.default.fileExists(atPath: livePath))
        let archive = dir.appendingPathComponent("archive").path
        if case .failure(let failure) = ArchiveVerifier.verify(root: archive) {
            Issue.record("verify: \(failure)")
        }
        #expect(try Self.archived(dir) == before)
        #expect(ArchiveLayout.entries(archive + "/2026/11").filter { $0.hasSuffix(".tmp") }.isEmpty)
    }

    /// From a new-user trial: a live file holding an event of another day was archived, its live file deleted,
    /// and the archive then failed its own `verify` ("line 2 starts on 2026-11-21") for good. The day is now
    /// refused before anything is written, the live file kept, with auditpipe's key order and any other.
    @Test func anEventOfAnotherDayIsRefusedAndTheLiveFileKept() throws {
        for slow in [false, true] {
            for position in [0, 150, 299] {
                let dir = try AuditPipeBinary.temporaryDirectory()
                defer { try? FileManager.default.removeItem(at: dir) }
                var lines = Self.liveLines(count: 300, slow: slow)
                lines[position] = lines[position].replacingOccurrences(of: Self.day, with: "2026-11-02")
                let livePath = try Self.writeLive(lines, in: dir)
                #expect(throws: ArchiveRunError.self) {
                    try ArchiveRun(options: Self.options(dir, memberBytes: 4_000)).run()
                }
                #expect(FileManager.default.fileExists(atPath: livePath), "slow \(slow), line \(position)")
                let archive = dir.appendingPathComponent("archive").path
                #expect(ArchiveLayout.archivedDays(archive).isEmpty)
            }
        }
    }

    @Test func membersAreCutAtTheFirstLineEndPastTheirSize() throws {
        let lines = Self.liveLines(count: 300)
        let source = DaySource(bytes: Array((lines.joined(separator: "\n") + "\n").utf8), name: "live")
        var merge = try DayMerge([source], source: "live", day: Self.day)
        var chunks: [[UInt8]] = []
        while let chunk = try merge.nextChunk(bytes: 1_000) { chunks.append(chunk) }
        #expect(chunks.count > 10)
        #expect(Array(chunks.joined()) == Self.merged(lines))
        for chunk in chunks.dropLast() {
            #expect(chunk.count >= 1_000 && chunk.last == 10)
            // Without its last line the chunk is short of the size: the cut is the first line end past it.
            let body = chunk.dropLast()
            let withoutLast = body.lastIndex(of: 10).map { $0 + 1 } ?? 0
            #expect(withoutLast < 1_000)
        }
        var empty = try DayMerge([DaySource(bytes: [], name: "live")], source: "live", day: Self.day)
        #expect(try empty.nextChunk(bytes: 1_000) == [])
        #expect(try empty.nextChunk(bytes: 1_000) == nil)
    }

    @Test func liveFileLinesReadInBlocksAndThroughTheWindowAreTheFilesBytes() throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Empty lines, a line longer than a block and the window, no newline at the end.
        var lines = (0..<400).map { Self.line($0) }
        lines[17] = String(repeating: "y", count: 2_500)
        let text = lines.joined(separator: "\n").replacingOccurrences(of: "r9\"", with: "r9\"\n\n")
        let path = dir.appendingPathComponent("live.jsonl").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        let source = DaySource(descriptor: fd, name: path, blockBytes: 300, windowBytes: 1_000)
        var found: [(String, Range<Int>)] = []
        try source.forEachLine { line, start, end, _ in
            found.append((String(decoding: line, as: UTF8.self), start..<end))
            return true
        }
        let bytes = Array(text.utf8)
        let expected = text.split(separator: "\n").map(String.init)
        #expect(found.map(\.0) == expected)
        #expect(found.allSatisfy { String(decoding: bytes[$0.1], as: UTF8.self) == $0.0 })
        // Asked for in a jittered order with far jumps, every line comes back as it is in the file.
        var order = Array(found.indices)
        for i in stride(from: 0, to: order.count - 4, by: 3) { order.swapAt(i, i + 4) }
        for i in stride(from: 0, to: order.count / 2, by: 37) { order.swapAt(i, order.count - 1 - i) }
        var out: [UInt8] = []
        var want: [UInt8] = []
        for k in order {
            try source.append(found[k].1.lowerBound, found[k].1.upperBound, to: &out)
            want += Array(found[k].0.utf8)
        }
        #expect(out == want)
    }
}
