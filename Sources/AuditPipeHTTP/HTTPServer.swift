import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A small HTTP/1.1 server on POSIX sockets for a GET-only screen: one thread per connection (at most
/// `maxConnections`), one request per connection (`Connection: close`), a bounded request head read within a
/// time limit, no request bodies, plain or over TLS (the system's OpenSSL). It hands each request to a
/// synchronous handler and writes its answer.
public final class HTTPServer: Sendable {
    /// The handler: one request head in, one response out.
    public typealias Handler = @Sendable (HTTPRequestHead) -> HTTPResponseMessage

    private let listener: Int32
    private let handler: Handler
    private let limits: HTTPLimits
    private let tls: TLSContext?
    private let open = Atomic<Int>(0)
    /// Connections being served now, per client address.
    private let perAddress = Mutex<[String: Int]>([:])
    private let stopped = Atomic<Bool>(false)
    /// The port listened on (the one the system chose when asked for port 0).
    public let port: UInt16

    /// Listens on `host` and `port` (0: any free port). `host` is an IPv4 address, `localhost`, or an IPv6
    /// address with or without brackets (`[::1]`); `[::]` takes IPv4 connections too (dual stack).
    /// With `tls`, every connection is TLS (1.2 or later); a client speaking plain HTTP gets no answer.
    public init(
        host: String, port: UInt16, limits: HTTPLimits = HTTPLimits(), tls: TLSContext? = nil,
        handler: @escaping Handler
    ) throws(HTTPServerError) {
        var address = host == "localhost" ? "127.0.0.1" : host
        if address.hasPrefix("["), address.hasSuffix("]") { address = String(address.dropFirst().dropLast()) }
        var storage = sockaddr_storage()
        let family: Int32
        let size: Int
        if address.contains(":") {
            family = AF_INET6
            size = MemoryLayout<sockaddr_in6>.size
            let parsed = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { a in
                    a.pointee.sin6_family = sa_family_t(AF_INET6)
                    a.pointee.sin6_port = port.bigEndian
                    return inet_pton(AF_INET6, address, &a.pointee.sin6_addr)
                }
            }
            guard parsed == 1 else {
                throw HTTPServerError("--listen: '\(host)' is not an IPv6 address (use [::1] or [::])")
            }
        } else {
            family = AF_INET
            size = MemoryLayout<sockaddr_in>.size
            let parsed = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { a in
                    a.pointee.sin_family = sa_family_t(AF_INET)
                    a.pointee.sin_port = port.bigEndian
                    return inet_pton(AF_INET, address, &a.pointee.sin_addr)
                }
            }
            guard parsed == 1 else {
                throw HTTPServerError(
                    "--listen: '\(host)' is not an IP address (use 127.0.0.1, 0.0.0.0, [::1] or [::])")
            }
        }
        #if canImport(Glibc)
            let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
            let fd = socket(family, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw HTTPServerError("cannot open a socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if family == AF_INET6 {
            // Dual stack on the unspecified address, whatever the system's default (net.ipv6.bindv6only).
            var v6only: Int32 = 0
            _ = setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &v6only, socklen_t(MemoryLayout<Int32>.size))
        }
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            let e = String(cString: strerror(errno))
            close(fd)
            throw HTTPServerError("cannot listen on \(host):\(port): \(e)")
        }
        var actual = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = Self.address(of: actual).port
        listener = fd
        self.handler = handler
        self.limits = limits
        self.tls = tls
    }

    /// Connections being served now.
    public var openConnections: Int { open.load(ordering: .relaxed) }

    /// Accepts and serves connections until `stop()`.
    public func run() {
        while !stopped.load(ordering: .acquiring) {
            var peer = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
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
            let peerText = Self.address(of: peer).text
            let fromPeer = perAddress.withLock { m -> Int in
                m[peerText, default: 0] += 1
                return m[peerText] ?? 1
            }
            let overloaded =
                open.wrappingAdd(1, ordering: .relaxed).newValue > limits.maxConnections
                || fromPeer > limits.maxConnectionsPerAddress
            Thread.detachNewThread { [self] in
                Self.blockBrokenPipeSignal()
                setTimeouts(client)
                if let connection = HTTPConnection(fd: client, tls: tls) {
                    if overloaded {
                        write(HTTPResponseMessage.plain(503, "too many connections\n"), to: connection)
                        connection.shutdownWrite()
                        close(client)
                    } else {
                        serve(connection, peer: peerText)
                        lingeringClose(connection)
                    }
                } else {
                    close(client)
                }
                open.wrappingSubtract(1, ordering: .relaxed)
                perAddress.withLock { m in
                    let left = (m[peerText] ?? 1) - 1
                    m[peerText] = left > 0 ? left : nil
                }
            }
        }
    }

    /// A socket address as text and port; an IPv4 client of a dual-stack socket (`::ffff:10.0.0.1`) as plain
    /// IPv4, so it is one client whichever way it came in.
    private static func address(of storage: sockaddr_storage) -> (text: String, port: UInt16) {
        var s = storage
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let port: UInt16 = withUnsafePointer(to: &s) { p in
            if Int32(p.pointee.ss_family) == AF_INET6 {
                return p.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { a in
                    var addr = a.pointee.sin6_addr
                    let bytes = withUnsafeBytes(of: &addr) { Array($0) }
                    if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff {
                        var v4 = in_addr()
                        withUnsafeMutableBytes(of: &v4) { $0.copyBytes(from: bytes[12..<16]) }
                        _ = inet_ntop(AF_INET, &v4, &text, socklen_t(text.count))
                    } else {
                        _ = inet_ntop(AF_INET6, &addr, &text, socklen_t(text.count))
                    }
                    return UInt16(bigEndian: a.pointee.sin6_port)
                }
            }
            return p.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { a in
                var addr = a.pointee.sin_addr
                _ = inet_ntop(AF_INET, &addr, &text, socklen_t(text.count))
                return UInt16(bigEndian: a.pointee.sin_port)
            }
        }
        return (String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), port)
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
    private func lingeringClose(_ connection: HTTPConnection) {
        let fd = connection.fd
        connection.shutdownWrite()
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
        var receive = timeval(tv_sec: limits.timeoutSeconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &receive, socklen_t(MemoryLayout<timeval>.size))
        var send = timeval(tv_sec: max(1, limits.writeTimeoutSeconds), tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Reads one request head within the limits, answers it, and returns.
    private func serve(_ fd: HTTPConnection, peer: String) {
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
            let n = chunk.withUnsafeMutableBytes { fd.receive($0) }
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
    private func write(_ response: HTTPResponseMessage, to fd: HTTPConnection) {
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

    private func send(_ bytes: [UInt8], to fd: HTTPConnection) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { p in fd.send(UnsafeRawBufferPointer(rebasing: p[done...])) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            done += n
        }
        return true
    }

    /// OpenSSL writes to the socket with `write`, which raises SIGPIPE when the client has gone: blocked on
    /// this worker thread (the write fails with EPIPE instead; a signal left pending goes with the thread).
    private static func blockBrokenPipeSignal() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &set, nil)
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
