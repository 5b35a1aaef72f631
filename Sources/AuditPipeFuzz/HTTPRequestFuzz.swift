import AuditPipeHTTP
import AuditPipeServe

/// The `http` fuzz target: bytes as a request reaching `auditpipe serve` — the head is found and parsed as
/// the server does, and a parsed head becomes the screen's request (target, percent-decoded query).
enum HTTPRequestFuzz {
    /// Runs one input.
    static func run(_ data: UnsafeRawBufferPointer) {
        let bytes = Array(data)
        let end = HTTPRequestParser.endOfHead(bytes) ?? bytes.count
        switch HTTPRequestParser.parse(bytes[..<end], peer: "127.0.0.1", maxHeaders: 64) {
        case .success(let head):
            let request = ScreenRequest(
                method: head.method, target: head.target, headers: head.headers, peer: head.peer)
            _ = request.path
            _ = request.query.count
        case .failure(let refusal):
            _ = HTTPRequestParser.reason(refusal.status)
        }
    }
}
