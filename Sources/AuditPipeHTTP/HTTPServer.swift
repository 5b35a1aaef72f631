import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A small HTTP/1.1 server on POSIX sockets for a GET-only screen: one thread per connection (at most
/// `maxConnections`), one request per connection (`Connection: close`), a bounded request head read within a
/// time limit, no request bodies. It hands each request to a synchronous handler and writes its answer.
public final class HTTPServer: Sendable {
    /// The handler: one request head in, one response out.
    public typealias Handler = @Sendable (HTTPRequestHead) -> HTTPResponseMessage

    private let listener: Int32
    private let handler: Handler
    private let limits: HTTPLimits
    private let open = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)
    /// The port listened on (the one the system chose when asked for port 0).
    public let port: UInt16

    /// Listens on `host` (an IPv4 address or `localhost`) and `port` (0: any free port).
    public init(host: String, port: UInt16, limits: HTTPLimits = HTTPLimits(), handler: @escaping Handler)
        throws(HTTPServerError)
    {
        let address = host == "localhost" ? "127.0.0.1" : host
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        guard inet_pton(AF_INET, address, &addr.sin_addr) == 1 else {
            throw HTTPServerError("--listen: '\(host)' is not an IPv4 address (use 127.0.0.1 or 0.0.0.0)")
        }
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw HTTPServerError("cannot open a socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            let e = String(cString: strerror(errno))
            close(fd)
            throw HTTPServerError("cannot listen on \(host):\(port): \(e)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = UInt16(bigEndian: actual.sin_port)
        listener = fd
        self.handler = handler
        self.limits = limits
    }

    /// Accepts and serves connections until `stop()`.
    public func run() {
        while !stopped.load(ordering: .acquiring) {
            var peer = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let client = withUnsafeMutablePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listener, $0, &length) }
            }
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE {
                    if errno == EMFILE || errno == ENFILE { usleep(50_000) }
                    continue
                }
                return
            }
            var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            var a = peer.sin_addr
            _ = inet_ntop(AF_INET, &a, &text, socklen_t(INET_ADDRSTRLEN))
            let peerText = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if open.wrappingAdd(1, ordering: .relaxed).newValue > limits.maxConnections {
                Thread.detachNewThread { [self] in
                    setTimeouts(client)
                    write(HTTPResponseMessage.plain(503, "too many connections\n"), to: client)
                    close(client)
                    open.wrappingSubtract(1, ordering: .relaxed)
                }
                continue
            }
            Thread.detachNewThread { [self] in
                serve(client, peer: peerText)
                lingeringClose(client)
                open.wrappingSubtract(1, ordering: .relaxed)
            }
        }
    }

    /// Stops accepting; connections being served finish.
    public func stop() {
        stopped.store(true, ordering: .releasing)
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// Closes after the client has read the answer: stops writing, then reads and drops what the client still
    /// sends (at most 1 s, 1 MiB), so a close with unread input does not reset the connection and destroy the
    /// answer before the client reads it (a refused oversized head, say).
    private func lingeringClose(_ fd: Int32) {
        shutdown(fd, Int32(SHUT_WR))
        var tv = timeval(tv_sec: 0, tv_usec: 200_000)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let deadline = Self.monotonicSeconds() + 1
        var drained = 0
        var sink = [UInt8](repeating: 0, count: 16 << 10)
        while drained < 1 << 20, Self.monotonicSeconds() < deadline {
            let n = sink.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            drained += n
        }
        close(fd)
    }

    private func setTimeouts(_ fd: Int32) {
        var tv = timeval(tv_sec: limits.timeoutSeconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Reads one request head within the limits, answers it, and returns.
    private func serve(_ fd: Int32, peer: String) {
        setTimeouts(fd)
        let deadline = Self.monotonicSeconds() + Double(limits.timeoutSeconds)
        var head: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while HTTPRequestParser.endOfHead(head) == nil {
            if head.count > limits.maxHeadBytes {
                write(.plain(431, "request head too large\n"), to: fd)
                return
            }
            if Self.monotonicSeconds() > deadline {
                write(.plain(408, "request head not received in time\n"), to: fd)
                return
            }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                write(.plain(408, "request head not received in time\n"), to: fd)
                return
            }
            if n <= 0 { return }
            head += chunk[0..<n]
        }
        let end = HTTPRequestParser.endOfHead(head)!
        if end > limits.maxHeadBytes {
            write(.plain(431, "request head too large\n"), to: fd)
            return
        }
        switch HTTPRequestParser.parse(head[0..<end], peer: peer, maxHeaders: limits.maxHeaders) {
        case .failure(let refusal): write(.plain(refusal.status, refusal.message + "\n"), to: fd)
        case .success(let request): write(handler(request), to: fd)
        }
    }

    /// Writes the status line, headers and body.
    private func write(_ response: HTTPResponseMessage, to fd: Int32) {
        var length = 0
        var file: Int32 = -1
        switch response.body {
        case .bytes(let b): length = b.count
        case .file(let path, _):
            file = Glibc.open(path, O_RDONLY | O_CLOEXEC)
            var st = stat()
            if file >= 0, fstat(file, &st) == 0 { length = Int(st.st_size) }
        }
        defer {
            if file >= 0 { close(file) }
            if case .file(let path, true) = response.body { unlink(path) }
        }
        var text = "HTTP/1.1 \(response.status) \(HTTPRequestParser.reason(response.status))\r\n"
        for h in response.headers { text += "\(h.name): \(h.value)\r\n" }
        text += "Content-Length: \(length)\r\nConnection: close\r\n\r\n"
        guard send(Array(text.utf8), to: fd) else { return }
        switch response.body {
        case .bytes(let b): _ = send(b, to: fd)
        case .file:
            var buffer = [UInt8](repeating: 0, count: 64 << 10)
            var left = length
            while left > 0 {
                let n = buffer.withUnsafeMutableBytes { read(file, $0.baseAddress, min($0.count, left)) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0, send(Array(buffer[0..<n]), to: fd) else { return }
                left -= n
            }
        }
    }

    private func send(_ bytes: [UInt8], to fd: Int32) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { p in
                Glibc.send(fd, p.baseAddress! + done, p.count - done, Int32(MSG_NOSIGNAL))
            }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            done += n
        }
        return true
    }

    private static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

extension HTTPResponseMessage {
    /// A plain-text answer.
    static func plain(_ status: Int, _ text: String) -> HTTPResponseMessage {
        HTTPResponseMessage(
            status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: .bytes(Array(text.utf8)))
    }
}
