/// RFC 4180 rows from bytes: quoted cells with `""` escapes and line breaks inside quotes, CRLF or LF
/// row ends, a leading UTF-8 BOM skipped. Each row keeps the byte offset and line where it starts.
public struct CSVRows: Sequence, IteratorProtocol {
    /// One row with where it starts.
    public struct Row: Sendable, Equatable {
        public var cells: [String]
        /// Byte offset of the row's first byte.
        public var offset: Int
        /// 1-based physical line of the row's start.
        public var line: Int
        /// Physical lines the row spans (quoted line breaks make it more than 1).
        public var lineCount: Int
        /// False when a quote was left open at the end of the input.
        public var complete: Bool
        /// True when a closing quote is followed by text other than a comma or a line end: a quote left open on
        /// an earlier line ends at the next quoted cell, swallowing the lines between.
        public var strayQuote = false
        /// Bytes the row spans, its line break included.
        public var length = 0
    }

    private let bytes: [UInt8]
    private var pos: Int
    private var line = 1

    /// Rows of `bytes`.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        pos = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    public mutating func next() -> Row? {
        guard pos < bytes.count else { return nil }
        let start = pos
        let startLine = line
        var cells: [String] = []
        var cell: [UInt8] = []
        var complete = true
        var strayQuote = false
        var atCellStart = true
        while pos < bytes.count {
            let c = bytes[pos]
            if atCellStart && c == UInt8(ascii: "\"") {
                pos += 1
                var closed = false
                while pos < bytes.count {
                    let q = bytes[pos]
                    if q == UInt8(ascii: "\"") {
                        if pos + 1 < bytes.count && bytes[pos + 1] == UInt8(ascii: "\"") {
                            cell.append(q)
                            pos += 2
                            continue
                        }
                        pos += 1
                        closed = true
                        break
                    }
                    if q == 10 { line += 1 }
                    cell.append(q)
                    pos += 1
                }
                if !closed { complete = false }
                if closed, pos < bytes.count, bytes[pos] != UInt8(ascii: ","), bytes[pos] != 10, bytes[pos] != 13 {
                    strayQuote = true
                }
                atCellStart = false
                continue
            }
            if c == UInt8(ascii: ",") {
                cells.append(String(decoding: cell, as: UTF8.self))
                cell.removeAll(keepingCapacity: true)
                atCellStart = true
                pos += 1
                continue
            }
            if c == 10 || c == 13 {
                pos += (c == 13 && pos + 1 < bytes.count && bytes[pos + 1] == 10) ? 2 : 1
                line += 1
                cells.append(String(decoding: cell, as: UTF8.self))
                return Row(
                    cells: cells, offset: start, line: startLine, lineCount: line - startLine, complete: complete,
                    strayQuote: strayQuote, length: pos - start)
            }
            cell.append(c)
            atCellStart = false
            pos += 1
        }
        cells.append(String(decoding: cell, as: UTF8.self))
        // A line break just before the end (inside an unclosed quote) starts no further line.
        let tail = bytes.last == 10 ? 0 : 1
        return Row(
            cells: cells, offset: start, line: startLine, lineCount: Swift.max(1, line - startLine + tail),
            complete: complete, strayQuote: strayQuote, length: pos - start)
    }
}
