import Foundation
import Testing

@testable import AuditPipe

/// The index reads a day a member at a time (`DayRowStream`): its rows and line bytes must be the rows the
/// whole inflated day gives (`IndexRow.rows`, which `verify` checks an index against), wherever the members
/// are cut (mid-line, at line ends, empty members), whatever the read chunk, and a damaged file is refused.
struct DayRowStreamTests {
    /// Event lines, a few blank, a few not JSON, lengths from a handful of bytes to several KiB.
    static func content(_ rng: inout SplitMix64, lines: Int, endsWithNewline: Bool) -> [UInt8] {
        var out: [UInt8] = []
        for i in 0..<lines {
            switch rng.next() % 20 {
            case 0: break  // a blank line
            case 1: out += Array("not json \(i)".utf8)
            default:
                let pad = String(repeating: "p", count: Int(rng.next() % (rng.next() % 8 == 0 ? 6000 : 300)))
                let start = String(format: "2026-11-01T%02d:%02d:%02dZ", (i / 3600) % 24, (i / 60) % 60, i % 60)
                out += Array(
                    #"{"event_id":"\#(String(format: "%016llx", rng.next()))","start":"\#(start)","user":"u\#(i % 7)","status":\#(200 + i % 3),"pad":"\#(pad)"}"#
                        .utf8)
            }
            if i < lines - 1 || endsWithNewline { out.append(10) }
        }
        return out
    }

    /// `content` gzipped as members cut at random places, before and after newlines, and some empty.
    static func gzip(_ content: [UInt8], _ rng: inout SplitMix64) throws -> [UInt8] {
        var cuts: [Int] = [0]
        while cuts.last! < content.count {
            var cut = min(content.count, cuts.last! + Int(rng.next() % 9000))
            let nl = content[cut...].firstIndex(of: 10)
            switch rng.next() % 5 {
            case 0: cut = nl.map { $0 + 1 } ?? cut  // after a newline: the next line starts a member
            case 1: cut = nl ?? cut  // before a newline: a line's bytes end with a member
            case 2: cut = cuts.last!  // an empty member
            default: break
            }
            cuts.append(cut)
        }
        var gz: [UInt8] = []
        for (a, b) in zip(cuts, cuts.dropFirst()) {
            let c = try GzipCompressor(level: 1)
            gz += c.compress(Array(content[a..<b])) + c.finish()
        }
        return gz
    }

    static func streamed(_ path: String, chunk: Int) throws -> ([IndexRow], [[UInt8]], DayRowStream.FileDigest) {
        var rows: [IndexRow] = []
        var lines: [[UInt8]] = []
        let digest = try DayRowStream(day: "2026-11-01", path: path, readChunk: chunk).read { row, line in
            rows.append(row)
            lines.append(Array(line))
        }
        return (rows, lines, digest)
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6])
    func streamedRowsAreTheWholeDaysRows(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let content = Self.content(&rng, lines: 400 + Int(rng.next() % 400), endsWithNewline: seed % 2 == 0)
        let gz = try Self.gzip(content, &rng)
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("day.jsonl.gz").path
        try Data(gz).write(to: URL(fileURLWithPath: path))

        let whole = try WholeDay.inflate(gz, name: path)
        #expect(whole.content == content)
        #expect(whole.members.count > 10)
        let expected = IndexRow.rows(of: "2026-11-01", whole)
        #expect(expected.count > 300)
        for chunk in [1 << 20, 4096, 7] {
            let (rows, lines, digest) = try Self.streamed(path, chunk: chunk)
            #expect(rows.count == expected.count, "chunk \(chunk)")
            if let k = rows.indices.first(where: { $0 < expected.count && rows[$0] != expected[$0] }) {
                Issue.record("chunk \(chunk), line \(k): \(rows[k]) where the whole day gives \(expected[k])")
            }
            #expect(digest == DayRowStream.FileDigest(bytes: Int64(gz.count), sha256: ArchiveManifest.sha256(gz)))
            // Each line's bytes are the content at the row's place.
            for (row, line) in zip(rows, lines) {
                let member = whole.members.first { $0.compressedOffset == Int(row.memberOffset) }!
                let start = member.inflatedOffset + Int(row.lineOffset)
                #expect(Array(content[start..<start + Int(row.lineLength)]) == line)
            }
        }
    }

    /// The index reads a line back by inflating the members its row spans (`MemberCache`): every streamed row
    /// gives back its line, also where two rows start in one member and one of them reaches into the next (the
    /// cache kept members by their start alone, and handed the shorter span to the longer row: found by a
    /// new-user trial on a day gzipped with members cut inside lines).
    @Test(arguments: [7, 8, 9])
    func everyRowReadsBackItsLine(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let content = Self.content(&rng, lines: 500, endsWithNewline: true)
        let gz = try Self.gzip(content, &rng)
        let root = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let path = ArchiveLayout.archiveFile(root.path, day: "2026-11-01")
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(gz).write(to: URL(fileURLWithPath: path))
        let (rows, lines, _) = try Self.streamed(path, chunk: 1 << 20)
        #expect(
            rows.contains { r in
                rows.contains { $0.memberOffset == r.memberOffset && $0.memberLength != r.memberLength }
            })
        let cache = MemberCache(root: root.path, digests: nil)
        for (row, line) in zip(rows, lines) {
            let back = try cache.line(row)
            if back != line {
                Issue.record("line \(row.line): \(back.count) bytes back, \(line.count) expected")
                break
            }
        }
    }

    @Test func aTruncatedOrTrailingGarbageFileIsRefused() throws {
        var rng = SplitMix64(seed: 11)
        let content = Self.content(&rng, lines: 300, endsWithNewline: true)
        let gz = try Self.gzip(content, &rng)
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("day.jsonl.gz").path
        for (name, bytes) in [
            ("cut mid-member", Array(gz[..<(gz.count - 5)])), ("garbage after", gz + Array("garbage".utf8)),
            (
                "a flipped byte",
                {
                    var b = gz; b[b.count / 2] ^= 0x55; return b
                }()
            ),
        ] {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            var failure: DayRowStream.Failure?
            do {
                _ = try Self.streamed(path, chunk: 1000)
            } catch let error as DayRowStream.Failure {
                failure = error
            }
            guard case .input? = failure else {
                Issue.record("\(name): \(String(describing: failure))")
                continue
            }
        }
        // An empty file is an empty day.
        try Data().write(to: URL(fileURLWithPath: path))
        let (rows, _, digest) = try Self.streamed(path, chunk: 1000)
        #expect(rows.isEmpty && digest.bytes == 0)
    }
}

extension IndexRow {
    /// The rows of a day's whole inflated content, one per line, each placed in the member(s) holding it: the
    /// reference `DayRowStream` is compared with (what the index held before it streamed).
    static func rows(of day: String, _ gz: WholeDay) -> [IndexRow] {
        var rows: [IndexRow] = []
        let members = gz.members
        gz.content.withUnsafeBufferPointer { p in
            var start = 0
            var m = 0
            var n: Int64 = 0
            while start < p.count {
                var end = start
                while end < p.count, p[end] != 10 { end += 1 }
                defer { start = end + 1 }
                if end == start { continue }
                while m + 1 < members.count, members[m].inflatedOffset + members[m].inflatedLength <= start { m += 1 }
                var last = m
                while last + 1 < members.count, members[last].inflatedOffset + members[last].inflatedLength < end {
                    last += 1
                }
                let first = members[m]
                let length = members[last].compressedOffset + members[last].compressedLength - first.compressedOffset
                rows.append(
                    IndexRow(
                        line: UnsafeBufferPointer(rebasing: p[start..<end]), day: day, line: n, member: first,
                        memberLength: length, lineOffset: start - first.inflatedOffset))
                n += 1
            }
        }
        return rows
    }
}

/// A day file inflated whole, with where each gzip member lies in it.
struct WholeDay {
    /// The whole inflated content.
    var content: [UInt8]
    var members: [GzipMembers.Member]

    /// Inflates every member of `gz` (zlib checks each member's CRC-32 and length), noting where each lies.
    static func inflate(_ gz: [UInt8], name: String, expectedSize: Int? = nil) throws(InputError) -> WholeDay {
        var members: [GzipMembers.Member] = []
        let content = try GzipMembers.inflate(gz, name: name, expectedSize: expectedSize) {
            cStart, cEnd, uStart, uEnd in
            members.append(
                GzipMembers.Member(
                    compressedOffset: cStart, compressedLength: cEnd - cStart, inflatedOffset: uStart,
                    inflatedLength: uEnd - uStart))
        }
        return WholeDay(content: content, members: members)
    }

}
