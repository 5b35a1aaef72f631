/// A link built from event fields, like Frappe's Show Document and Show Report buttons:
/// `https://erp.example.com/app/{entity.type}/{entity.id}`. Values are percent-encoded; an object value
/// (report filters) becomes `key=value&…`; `{field|slug}` lower-cases and joins words with `-` (Frappe's
/// `/app/sales-invoice/…` routes). A link whose fields are missing is left out.
public struct LinkTemplate: Sendable, Equatable {
    /// The link's name in the event's `links`.
    public let name: String
    /// The template text.
    public let template: String
    let parts: [Part]

    enum Part: Sendable, Equatable {
        case text(String)
        case field([String], slug: Bool)
    }

    /// What a template failed on.
    public struct Invalid: Error, Sendable {
        public let message: String
    }

    /// Parses `{dotted.path}` placeholders.
    public init(name: String, template: String) throws(Invalid) {
        self.name = name
        self.template = template
        var parts: [Part] = []
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { parts.append(.text(String(rest[..<open]))) }
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw Invalid(message: "unclosed '{' in link template '\(template)'")
            }
            let field = rest[rest.index(after: open)..<close]
            guard !field.isEmpty else { throw Invalid(message: "empty '{}' in link template '\(template)'") }
            var name = field
            var slug = false
            if let bar = field.firstIndex(of: "|") {
                guard field[field.index(after: bar)...] == "slug" else {
                    throw Invalid(message: "unknown modifier in '{\(field)}' (only '|slug' is known)")
                }
                name = field[..<bar]
                slug = true
            }
            parts.append(.field(name.split(separator: ".").map(String.init), slug: slug))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        self.parts = parts
    }

    /// The dotted field paths the template names.
    public var fields: [String] {
        parts.compactMap { if case .field(let f, _) = $0 { f.joined(separator: ".") } else { nil } }
    }

    /// The link for an event, or nil when a field it names is missing.
    func render(_ lookup: ([String]) -> JSONValue?) -> String? {
        var out = ""
        for p in parts {
            switch p {
            case .text(let t): out += t
            case .field(let f, let slug):
                guard let v = lookup(f) else { return nil }
                switch v {
                case .null: return nil
                case .object(let members):
                    out += members.compactMap { m in
                        m.value.scalarText.map { Self.encode(m.key) + "=" + Self.encode($0) }
                    }.joined(separator: "&")
                default:
                    guard let s = v.scalarText else { return nil }
                    out += Self.encode(slug ? Self.slug(s) : s)
                }
            }
        }
        return out
    }

    /// `Sales Invoice` → `sales-invoice`.
    static func slug(_ s: String) -> String {
        s.lowercased().split(whereSeparator: { $0 == " " || $0 == "_" }).joined(separator: "-")
    }

    /// Percent-encodes all but RFC 3986 unreserved characters.
    static func encode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case 48...57, 65...90, 97...122, UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(b >> 4)], hex[Int(b & 15)]], as: UTF8.self)
            }
        }
        return out
    }
}
