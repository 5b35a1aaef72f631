import Foundation
import Testing

@testable import AuditPipe

/// The schema table is the one list of the event's fields: every event the encoder wrote into the goldens has
/// exactly its fields in its order, and names outside it are refused with a did-you-mean.
struct EventSchemaTests {
    /// Every event of every JSONL golden under `Fixtures/`.
    static func goldenEvents() throws -> [JSONValue] {
        let root = AuditPipeBinary.packageRoot.appendingPathComponent("Fixtures")
        var out: [JSONValue] = []
        let files = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []
        for f in files
        where (f.hasSuffix("expected.jsonl") || f.hasSuffix("expected/events.jsonl")) && !f.contains("summary") {
            let data = try Data(contentsOf: root.appendingPathComponent(f))
            for line in data.split(separator: 10) {
                let bytes = Array(line)
                let v: JSONValue? = bytes.withUnsafeBufferPointer { b in
                    var s = JSONScanner(b, maxDepth: 64)
                    return try? s.parseValue(depth: 0)
                }
                if let v { out.append(v) }
            }
        }
        return out
    }

    /// Keys of `value` follow `fields` in order, every field present but the optional ones; returns the paths
    /// seen.
    static func check(_ value: JSONValue, against fields: [EventSchema.Field], at path: String) -> Set<String> {
        guard case .object(let members) = value else { return [] }
        var seen: Set<String> = []
        var k = 0
        for m in members {
            while k < fields.count && fields[k].name != m.key {
                #expect(fields[k].optional, "\(path): '\(fields[k].name)' missing before '\(m.key)'")
                k += 1
            }
            guard k < fields.count else {
                Issue.record("\(path).\(m.key): not in the schema, or out of order")
                return seen
            }
            let name = path.isEmpty ? m.key : "\(path).\(m.key)"
            seen.insert(name)
            if case .block(let inner) = fields[k].kind {
                seen.formUnion(check(m.value, against: inner, at: name))
            }
            k += 1
        }
        for f in fields[k...] where !f.optional { Issue.record("\(path): '\(f.name)' missing at the end") }
        return seen
    }

    @Test func theEncoderWritesExactlyTheSchema() throws {
        let events = try Self.goldenEvents()
        #expect(events.count > 500)
        var seen: Set<String> = []
        for e in events { seen.formUnion(Self.check(e, against: EventSchema.fields, at: "")) }
        // Every field of the schema is written by some golden event.
        func paths(_ fields: [EventSchema.Field], _ prefix: String) -> [String] {
            fields.flatMap { f -> [String] in
                let name = prefix.isEmpty ? f.name : "\(prefix).\(f.name)"
                if case .block(let inner) = f.kind { return [name] + paths(inner, name) }
                return [name]
            }
        }
        for p in paths(EventSchema.fields, "") { #expect(seen.contains(p), "no golden event writes \(p)") }
    }

    @Test func unknownNamesGetADidYouMean() {
        #expect(EventSchema.problem(with: "actor.user") == nil)
        #expect(EventSchema.problem(with: "user") == nil)
        #expect(EventSchema.problem(with: "api.payload.items.0.sku") == nil)
        #expect(EventSchema.problem(with: "levels.warn") == nil)
        #expect(EventSchema.problem(with: "actor.usr")?.contains("did you mean 'user'?") == true)
        #expect(EventSchema.problem(with: "outcom.status")?.contains("did you mean 'outcome'?") == true)
        #expect(EventSchema.problem(with: "entity.id.x")?.contains("has no fields") == true)
    }

    /// The filter, `--columns` and pipeline files all refuse an unknown field.
    @Test func everyPlaceThatNamesAFieldChecksIt() throws {
        #expect(throws: FilterSyntaxError.self) { try FilterParser.parse(#"actor.usr == "a""#) }
        let r = try AuditPipeBinary.run(
            ["correlate", "-", "--output-format", "csv", "--columns", "start,actor.usr"], stdin: Data())
        #expect(r.status == 1 && r.stderr.contains("did you mean 'user'?"))
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("p.yaml")
        try """
        inputs: ["-"]
        outputs:
          - type: csv
            path: out.csv
            columns: [start, actor.usr]
        """.write(to: file, atomically: true, encoding: .utf8)
        let v = try AuditPipeBinary.run(["validate", file.path])
        #expect(v.status == 1 && v.stderr.contains("did you mean 'user'?"), "\(v.stderr)")
    }
}
