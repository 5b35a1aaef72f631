import Testing

@testable import AuditPipe

/// `verify` checks a day's lines as they are inflated (`DayLineCheck`); fed in chunks cut anywhere, it must
/// find what a check of the whole content finds: the count, the first line out of place, the first and last.
struct DayLineCheckTests {
    static let day = "2026-11-01"

    static func event(_ i: Int, day: String = day) -> String {
        #"{"event_id":"\#(String(format: "%08x", i))","start":"\#(day)T00:00:\#(String(format: "%02d", i % 60)).\#(String(format: "%03d", i))Z","pad":"\#(String(repeating: "x", count: i * 7 % 90))"}"#
    }

    /// The check of the whole content, as `verify` made it before it streamed.
    static func whole(_ content: [UInt8]) -> (Int, String?, String?, String?) {
        let lines = content.split(separator: 10, omittingEmptySubsequences: true)
        var last: (String, String)?
        var first: String?
        for (n, line) in lines.enumerated() {
            guard let (start, id) = EventLineKey.of(line) else {
                return (lines.count, "line \(n + 1) is not an audit event", first, last?.0)
            }
            if let last, (start, id) <= last {
                return (lines.count, "reordered: line \(n + 1) is out of start/event_id order", first, last.0)
            }
            if String(start.prefix(10)) != day {
                return (lines.count, "line \(n + 1) starts on \(start.prefix(10)), not on \(day)", first, last?.0)
            }
            first = first ?? start
            last = (start, id)
        }
        return (lines.count, nil, first, last?.0)
    }

    static let contents: [(String, [String])] = [
        ("in order", (0..<200).map { event($0) }),
        ("blank lines", (0..<200).map { $0 % 17 == 0 ? "" : event($0) }),
        ("one out of order", (0..<200).map { event($0 == 120 ? 3 : $0) }),
        ("not an event", (0..<200).map { $0 == 77 ? "{\"x\":1}" : event($0) }),
        ("another day", (0..<200).map { $0 == 150 ? event($0, day: "2026-11-02") : event($0) }),
    ]

    @Test(arguments: 0..<contents.count)
    func chunkedIsWhole(case k: Int) {
        let (name, lines) = Self.contents[k]
        for trailingNewline in [true, false] {
            let content = Array((lines.joined(separator: "\n") + (trailingNewline ? "\n" : "")).utf8)
            let expected = Self.whole(content)
            var rng = SplitMix64(seed: UInt64(k * 2 + (trailingNewline ? 1 : 0)))
            for _ in 0..<20 {
                var check = DayLineCheck(day: Self.day)
                var at = 0
                while at < content.count {
                    let n = min(content.count - at, Int(rng.next() % 400) + 1)
                    content.withUnsafeBufferPointer { check.append(UnsafeBufferPointer(rebasing: $0[at..<at + n])) }
                    at += n
                }
                check.finish()
                let got = (check.count, check.problem, check.first, check.last?.0)
                #expect(got == expected, "\(name), trailing newline \(trailingNewline)")
            }
            if name != "in order" && name != "blank lines" { #expect(expected.1 != nil, "\(name)") }
        }
    }
}
