/// Reading an archive day back: the gzip file inflated (CRC and length checked by zlib) into event lines.
enum ArchivedDay {
    /// Inflates gzip bytes (every member), zlib checking each member's CRC-32 and length.
    static func inflate(_ gz: [UInt8], name: String, expectedSize: Int? = nil) throws(InputError) -> [UInt8] {
        try GzipMembers.inflate(gz, name: name, expectedSize: expectedSize)
    }

    /// The lines of uncompressed JSONL content (without their newlines).
    static func lines(_ content: [UInt8]) -> [ArraySlice<UInt8>] {
        content.split(separator: 10, omittingEmptySubsequences: true)
    }
}
