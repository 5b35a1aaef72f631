import Testing

@testable import AuditPipe

/// An event's `outcome.error` is its error record's first line, at most 512 `Character`s: cut on bytes now, it must
/// be what the `Character` reading gave (`prefix(while: { $0 != "\n" })`, where `\r\n` is one `Character` and no
/// break, then `prefix(512)`), for text with line feeds, carriage returns, combining marks and emoji anywhere.
struct ErrorLineCutTests {
    @Test func bytesCutWhereCharactersDid() {
        var rng = SplitMix64(seed: 512)
        let pieces = ["a", "Z", " ", "\n", "\r", "\r\n", "\u{301}", "é", "e\u{301}", "🇫🇷", "👩‍💻", "\t", "€", "\n\u{301}"]
        for round in 0..<6_000 {
            var text = ""
            let long = round % 5 == 0
            for _ in 0..<Int(rng.next() % (long ? 700 : 24)) {
                text += pieces[Int(rng.next() % UInt64(pieces.count))]
            }
            let line = String(text.prefix(while: { $0 != "\n" }))
            #expect(Enricher.firstLine(text) == line, "\(Array(text.utf8))")
            #expect(Array(Enricher.firstLine(text).utf8) == Array(line.utf8))
            #expect(Array(Enricher.cut(text).utf8) == Array(String(text.prefix(512)).utf8))
        }
    }
}
