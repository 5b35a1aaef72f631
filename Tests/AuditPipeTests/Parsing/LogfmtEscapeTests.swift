import Testing

@testable import AuditPipe

/// A logfmt quoted value's escapes are those Go's loggers write (go-logfmt, logrus's `%q`); an escape they do
/// not write keeps its backslash. From a new-user trial: `msg="caf\u00e9"` read `cafu00e9`.
struct LogfmtEscapeTests {
    static func unescape(_ text: String) -> String {
        Array(text.utf8).withUnsafeBufferPointer { LogfmtParser.unescape($0) }
    }

    @Test(arguments: [
        (#"caf\u00e9"#, "café"), (#"\"quoted\" and \\"#, #""quoted" and \"#), (#"a\nb\tc\rd"#, "a\nb\tc\rd"),
        (#"\b\f\a\v\/"#, "\u{8}\u{C}\u{7}\u{B}/"), (#"\x41\x7e"#, "A~"), (#"\U0001F600"#, "😀"),
        (#"\ud83d\ude00"#, "😀"), (#"\ud83d alone"#, "\u{FFFD} alone"), (#"\xff"#, "\u{FFFD}"),
        (#"\q \ and \u12 and \x4"#, #"\q \ and \u12 and \x4"#), (#"end\"#, #"end\"#), (#"\U0011FFFF"#, "\u{FFFD}"),
    ])
    func goEscapesAreReadAndOthersKept(written: String, read: String) {
        #expect(Self.unescape(written) == read)
    }

    @Test func aLineReadsItsMessageUnescaped() {
        var parser = LineParser(options: ParseOptions())
        var bytes = Array(#"time=2026-11-21T10:00:00Z level=error msg="caf\u00e9 \"x\"" request_id=r1"#.utf8)
        let parsed = bytes.withUnsafeMutableBufferPointer {
            parser.parse(
                UnsafeBufferPointer($0), position: SourcePosition(input: 0, line: 1, offset: 0), fileService: "f")
        }
        guard case .record(let r, _, _) = parsed else {
            Issue.record("not a record: \(parsed)")
            return
        }
        #expect(r.message == #"café "x""#)
    }
}
