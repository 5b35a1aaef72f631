import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A raw HTTP/1.1 client over a loopback socket, so tests see exactly what the server wrote (and can send
/// what no well-behaved client would).
enum HTTPTestClient {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: Data

        var text: String { String(decoding: body, as: UTF8.self) }

        func json() throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: body) as? [String: Any] ?? [:]
        }
    }

    /// `GET path` with Basic credentials when given.
    static func get(
        _ port: UInt16, _ path: String, user: String? = nil, password: String? = nil, host: String = "127.0.0.1"
    ) throws -> Response {
        let authority = host.contains(":") ? "[\(host)]" : host
        var head = "GET \(path) HTTP/1.1\r\nHost: \(authority):\(port)\r\nUser-Agent: auditpipe-tests\r\n"
        if let user, let password {
            head += "Authorization: Basic \(Data("\(user):\(password)".utf8).base64EncodedString())\r\n"
        }
        return try send(port, Array((head + "\r\n").utf8), host: host)
    }

    /// A socket connected to `host` (IPv4, or IPv6 such as `::1`) on `port`.
    static func connected(_ port: UInt16, host: String = "127.0.0.1") throws -> Int32 {
        let v6 = host.contains(":")
        let fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var result: Int32 = -1
        if v6 {
            var addr = sockaddr_in6()
            addr.sin6_family = sa_family_t(AF_INET6)
            addr.sin6_port = port.bigEndian
            inet_pton(AF_INET6, host, &addr.sin6_addr)
            result = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        } else {
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = port.bigEndian
            addr.sin_addr.s_addr = inet_addr(host)
            result = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard result == 0 else {
            close(fd)
            throw ClientError(message: "cannot connect to \(host) port \(port)")
        }
        return fd
    }

    /// Sends raw bytes and reads the answer until the server closes.
    static func send(_ port: UInt16, _ bytes: [UInt8], host: String = "127.0.0.1") throws -> Response {
        let fd = try connected(port, host: host)
        defer { close(fd) }
        var tv = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL))
            }
            if n <= 0 { break }  // the server may answer and close before reading everything
            sent += n
        }
        var data = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            data += chunk[0..<n]
        }
        guard let end = data.firstRange(of: [13, 10, 13, 10]) else {
            throw ClientError(message: "no complete answer: \(String(decoding: data, as: UTF8.self))")
        }
        let headText = String(decoding: data[..<end.lowerBound], as: UTF8.self)
        let lines = headText.components(separatedBy: "\r\n")
        let status = Int(lines[0].split(separator: " ")[1]) ?? 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        return Response(status: status, headers: headers, body: Data(data[end.upperBound...]))
    }

    struct ClientError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Percent-encodes a query value.
    static func escape(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed)!
    }
}
