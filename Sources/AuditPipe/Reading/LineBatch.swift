/// One physical line inside a `LineBatch`.
struct LineSpan: Sendable {
    /// Start of the line's bytes in the batch buffer.
    var start: Int32
    /// Length kept in the buffer (CR/LF excluded; at most the line cap).
    var length: Int32
    /// 1-based line number in the input.
    var number: Int64
    /// Byte offset of the line in the (decompressed) input.
    var offset: Int64
    /// The line's real length when it exceeded the cap (then only its first `length` bytes are kept), else 0.
    var oversizedLength: Int64
}

/// Complete lines framed from one input, sharing one byte buffer: the unit passed between stages.
struct LineBatch: Sendable {
    /// Index of the input.
    var input: Int32
    /// Order of this batch within its input.
    var index: Int
    /// Line bytes.
    var bytes: [UInt8]
    /// The lines, in input order.
    var lines: [LineSpan]
    /// True when the batch was cut because the input paused (a live stream waiting for data).
    var endsAtPause = false
    /// Input offset just past the batch's last line (where the next line starts).
    var endOffset: Int64 = 0
    /// Number of the next line after the batch.
    var endLine: Int64 = 1
}
