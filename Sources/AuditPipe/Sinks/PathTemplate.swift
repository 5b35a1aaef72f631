/// An output path with `{field}` placeholders filled from each event (`out/{service}/{date}.jsonl`):
/// `{date}` is the UTC day of the event's start, any other name an event field (`service` is the first
/// service, `user` the actor). Values come from log content, so each becomes one safe path segment:
/// characters other than letters, digits, `.`, `_`, `-` and `@` become `_`, a leading `.` becomes `_`,
/// an empty value is `_`, and at most 100 bytes are kept — a value can never add a `/` or be `..`.
public struct PathTemplate: Sendable, Equatable {
    enum Part: Sendable, Equatable {
        case text(String)
        case field(String)
    }

    let parts: [Part]
    /// The directory before the first placeholder: no symbolic link below it is followed.
    let root: String

    /// What a template failed on.
    public struct Invalid: Error, Sendable {
        public let message: String
    }

    /// True when `path` holds a placeholder.
    public static func isTemplate(_ path: String) -> Bool { path.contains("{") }

    /// Parses `path`; every placeholder must be `date` or an event field.
    public init(_ path: String) throws(Invalid) {
        var parts: [Part] = []
        var rest = Substring(path)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { parts.append(.text(String(rest[..<open]))) }
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw Invalid(message: "unclosed '{' in output path '\(path)'")
            }
            let name = String(rest[rest.index(after: open)..<close])
            let head = String(name.split(separator: ".").first ?? "")
            guard name == "date" || FieldCatalog.eventRoots.contains(head) || FieldCatalog.eventShorthands[head] != nil
            else {
                throw Invalid(
                    message: "unknown field '{\(name)}' in output path '\(path)' (use {date} or an event field)")
            }
            parts.append(.field(name))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        self.parts = parts
        root = ConfinedPath.root(ofTemplate: path)
    }

    /// The path for one event.
    func path(for e: AuditEvent) -> String {
        var out = ""
        for p in parts {
            switch p {
            case .text(let t): out += t
            case .field("date"): out += ArchiveLayout.day(of: e.start)
            case .field(let name):
                var segments = name.split(separator: ".").map(String.init)
                if let full = FieldCatalog.eventShorthands[segments[0]] {
                    segments = full.split(separator: ".").map(String.init) + segments.dropFirst()
                }
                var v = e.value(at: segments)
                if case .array(let items)? = v { v = items.first }
                out += Self.segment(v?.scalarText ?? "")
            }
        }
        return out
    }

    /// A value as one safe path segment.
    static func segment(_ value: String) -> String {
        var bytes: [UInt8] = []
        for b in value.utf8.prefix(100) {
            let ok =
                (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == UInt8(ascii: ".")
                || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: "@")
            bytes.append(ok ? b : UInt8(ascii: "_"))
        }
        if bytes.isEmpty { return "_" }
        if bytes[0] == UInt8(ascii: ".") { bytes[0] = UInt8(ascii: "_") }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// JSON lines into files named by a `PathTemplate`, each appended to; at most 256 files are open at once
/// (the least recently written is closed and reopened for append when needed).
public final class TemplatedJSONLSink: EventSink {
    private let template: PathTemplate
    private var files: [String: OutputFile] = [:]
    private var lastUsed: [String: Int] = [:]
    private var clock = 0
    private var writer = JSONWriter(capacity: 64 << 10)
    static let maxOpen = 256

    /// Creates the sink.
    public init(template: PathTemplate) { self.template = template }

    public func write(_ events: [AuditEvent]) throws(OutputError) {
        var byPath: [String: [Int]] = [:]
        for (i, e) in events.enumerated() { byPath[template.path(for: e), default: []].append(i) }
        for path in byPath.keys.sorted() {
            writer.removeAll()
            for i in byPath[path]! { EventJSONEncoder.encode(events[i], into: &writer) }
            let out = try file(path)
            try writer.withBytes { (b) throws(OutputError) in try out.write(b) }
        }
    }

    public func write(records: [JSONValue]) throws(OutputError) {
        throw OutputError(path: "template", message: "a templated output writes events, not records")
    }

    public func flush() throws(OutputError) {
        for f in files.values { try f.flush() }
    }

    public func close() throws(OutputError) {
        for path in files.keys.sorted() { try files[path]!.close() }
        files = [:]
    }

    private func file(_ path: String) throws(OutputError) -> OutputFile {
        clock += 1
        lastUsed[path] = clock
        if let f = files[path] { return f }
        if files.count >= Self.maxOpen, let oldest = files.keys.min(by: { lastUsed[$0]! < lastUsed[$1]! }) {
            try files.removeValue(forKey: oldest)!.close()
        }
        let f = OutputFile(descriptor: try ConfinedPath.openForAppend(path, root: template.root), path: path)
        files[path] = f
        return f
    }
}
