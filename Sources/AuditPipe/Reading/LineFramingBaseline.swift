/// Reads and frames an input without parsing it: the benchmark's baseline for the read stage.
public enum LineFramingBaseline {
    /// Number of lines in the file at `path` (gzip inflated), read with the pipeline's reader and framer.
    public static func countLines(path: String) throws -> Int64 {
        var framer = LineFramer(
            source: try InputStage.open(InputSpec(path: path), control: RunControl()), input: 0,
            maxLineBytes: 1 << 20)
        var lines: Int64 = 0
        while let batch = try framer.nextBatch() { lines += Int64(batch.lines.count) }
        return lines
    }
}
