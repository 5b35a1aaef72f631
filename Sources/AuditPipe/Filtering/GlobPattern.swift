/// A glob as Pydio filters paths: `*` matches any run (slashes included), `?` one character, `\*` and
/// `\?` themselves; the whole value must match (`common-files/reports/*` is a path prefix). Matching
/// backtracks only to the last `*`, so it is linear in the value times the pattern, whatever the pattern.
public struct GlobPattern: Sendable, Equatable {
    private enum Element: Sendable, Equatable {
        case byte(UInt8)
        case any
        case one
    }

    private let elements: [Element]
    /// The pattern as written.
    public let pattern: String

    /// Compiles a pattern.
    public init(_ pattern: String) {
        self.pattern = pattern
        var elements: [Element] = []
        let b = Array(pattern.utf8)
        var i = 0
        while i < b.count {
            switch b[i] {
            case UInt8(ascii: "\\") where i + 1 < b.count:
                elements.append(.byte(b[i + 1]))
                i += 1
            case UInt8(ascii: "*"):
                if elements.last != .any { elements.append(.any) }
            case UInt8(ascii: "?"): elements.append(.one)
            default: elements.append(.byte(b[i]))
            }
            i += 1
        }
        self.elements = elements
    }

    /// True when the whole of `s` matches.
    public func matches(_ s: String) -> Bool {
        var s = s
        return s.withUTF8(match)
    }

    private func match(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        let p = elements
        var pi = 0
        var si = 0
        var starP = -1
        var starS = 0
        while si < s.count {
            if pi < p.count, p[pi] == .byte(s[si]) {
                pi += 1
                si += 1
            } else if pi < p.count, p[pi] == .one, si + Self.characterLength(s[si]) <= s.count {
                si += Self.characterLength(s[si])
                pi += 1
            } else if pi < p.count, p[pi] == .any {
                starP = pi
                starS = si
                pi += 1
            } else if starP >= 0 {
                starS += Self.characterLength(s[starS])
                pi = starP + 1
                si = starS
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == .any { pi += 1 }
        return pi == p.count
    }

    /// Bytes in the UTF-8 character led by `c`.
    private static func characterLength(_ c: UInt8) -> Int { c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4 }
}
