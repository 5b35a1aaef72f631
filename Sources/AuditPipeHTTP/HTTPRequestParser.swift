/// Reads an HTTP/1.x request head (request line and headers), strictly: an origin-form target, token
/// header names, no folded lines, no body.
public enum HTTPRequestParser {
    /// Why a request head was refused, with the status to answer.
    public struct Refusal: Error, Sendable, Equatable {
        /// The status code (400, 413, 431, 505).
        public var status: Int
        /// What was wrong.
        public var message: String
    }

    /// The length of the head including its blank line, or nil while it is incomplete.
    public static func endOfHead(_ bytes: [UInt8]) -> Int? {
        var i = 0
        while i + 1 < bytes.count {
            if bytes[i] == 10 {
                if bytes[i + 1] == 10 { return i + 2 }
                if bytes[i + 1] == 13, i + 2 < bytes.count, bytes[i + 2] == 10 { return i + 3 }
            }
            i += 1
        }
        return nil
    }

    /// Parses a complete head (as `endOfHead` delimits it).
    public static func parse(_ head: ArraySlice<UInt8>, peer: String, maxHeaders: Int) -> Result<
        HTTPRequestHead, Refusal
    > {
        guard let text = String(validating: head, as: UTF8.self) else {
            return .failure(Refusal(status: 400, message: "request head is not UTF-8"))
        }
        // By scalars: "\r\n" is one Character, so a split by Character would not see the "\n".
        var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map {
            Substring(String(String.UnicodeScalarView($0.last == "\r" ? $0.dropLast() : $0)))
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let requestLine = lines.first else { return .failure(Refusal(status: 400, message: "empty request")) }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy({ $0.isLetter && $0.isASCII }),
            parts[1].hasPrefix("/")
        else {
            return .failure(Refusal(status: 400, message: "malformed request line"))
        }
        guard parts[2] == "HTTP/1.1" || parts[2] == "HTTP/1.0" else {
            return .failure(Refusal(status: 505, message: "HTTP/1.1 only"))
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard headers.count < maxHeaders else {
                return .failure(Refusal(status: 431, message: "more than \(maxHeaders) headers"))
            }
            guard let colon = line.firstIndex(of: ":"), colon > line.startIndex,
                line[..<colon].allSatisfy({ isTokenCharacter($0) })
            else {
                return .failure(Refusal(status: 400, message: "malformed header line"))
            }
            let value = line[line.index(after: colon)...].trimmingSpaces()
            headers.append((String(line[..<colon]), value))
        }
        let request = HTTPRequestHead(
            method: String(parts[0]), target: String(parts[1]), headers: headers, peer: peer)
        if request.header("Transfer-Encoding") != nil
            || (request.header("Content-Length").map { $0 != "0" } ?? false)
        {
            return .failure(Refusal(status: 413, message: "request bodies are not accepted"))
        }
        return .success(request)
    }

    /// The reason phrase of a status code.
    public static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 413: "Content Too Large"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Status"
        }
    }

    private static func isTokenCharacter(_ c: Character) -> Bool {
        guard c.isASCII, let a = c.asciiValue, a > 32, a < 127 else { return false }
        return !"\"(),/:;<=>?@[\\]{}".contains(c)
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        var s = self[...]
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
