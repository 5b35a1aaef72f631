import AuditPipe

/// The read-and-frame baseline: auditpipe's own reader and line framer, no parsing.
enum LineCounter {
    static func count(path: String) throws -> Int64 {
        try LineFramingBaseline.countLines(path: path)
    }
}
