import Foundation
import Testing

@testable import AuditPipe

/// The CSV sink writes event cells straight from the event's fields (`CSVColumn`); these pin its bytes to what
/// the general lookup gives (`AuditEvent.value(at:)`, `CSVSink.cell`, `CSVSink.appendRow`), on the events of a
/// demo dump and on events whose fields are made to need every kind of escaping.
struct CSVColumnTests {
    final class CollectingSink: EventSink, @unchecked Sendable {
        var events: [AuditEvent] = []
        func write(_ events: [AuditEvent]) throws(OutputError) { self.events += events }
        func write(records: [JSONValue]) throws(OutputError) {}
        func flush() throws(OutputError) {}
        func close() throws(OutputError) {}
    }

    /// Every field of the schema by its path, every shorthand, whole blocks, paths into open fields, a list's
    /// element, and paths that name nothing.
    static let columns: [String] =
        CSVSink.defaultColumns + [
            "actor.user_id", "actor.user_agent", "actor.name", "actor.email", "actor.roles", "entity.name",
            "outcome.error", "api.method", "api.path", "api.route", "api.query", "api.payload", "levels", "links",
            "entries", "access", "access.kind", "access.file_type", "access.filters", "actor", "entity", "outcome",
            "api", "levels.info", "levels.error", "api.payload.amount", "api.payload.note", "api.query.page",
            "links.trace_id",
        ] + EventSchema.shorthands.keys.sorted() + [
            "user.x", "status.code", "nosuch", "actor.nosuch", "services.0", "",
        ]

    /// What the sink wrote before `CSVColumn`: the general lookup of each path, cell by cell.
    static func expected(_ events: [AuditEvent], columns: [String]) -> [UInt8] {
        let paths = columns.map { $0.split(separator: ".").map(String.init) }
        var out: [UInt8] = []
        CSVSink.appendRow(columns.map { Optional($0) }, to: &out)
        for e in events { CSVSink.appendRow(paths.map { CSVSink.cell(e.value(at: $0)) }, to: &out) }
        return out
    }

    static func written(_ events: [AuditEvent], columns: [String]) throws -> [UInt8] {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("events.csv").path
        let sink = try CSVSink(path: path, columns: columns, bom: false)
        // In two batches: the sink's row buffer is reused between them.
        let half = events.count / 2
        try sink.write(Array(events[..<half]))
        try sink.write(Array(events[half...]))
        try sink.close()
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func demoEvents(includeRecords: Bool) async throws -> [AuditEvent] {
        let (dir, url) = try PipelineTests.dump(requests: 400, seed: 3)
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = PipelineOptions()
        options.correlation.includeRecords = includeRecords
        let sink = CollectingSink()
        _ = try await Pipeline(inputs: [url.path], options: options).run(sink: sink) { _ in }
        return sink.events
    }

    @Test(arguments: [false, true])
    func demoEventsGiveTheCellsOfTheGeneralLookup(includeRecords: Bool) async throws {
        let events = try await Self.demoEvents(includeRecords: includeRecords)
        #expect(events.count > 400)
        for columns in [CSVSink.defaultColumns, Self.columns] {
            let written = try Self.written(events, columns: columns)
            let expected = Self.expected(events, columns: columns)
            #expect(written == expected)
            if written != expected {
                let a = String(decoding: written, as: UTF8.self).components(separatedBy: "\r\n")
                let b = String(decoding: expected, as: UTF8.self).components(separatedBy: "\r\n")
                if let i = a.indices.first(where: { $0 < b.count && a[$0] != b[$0] }) {
                    Issue.record("row \(i):\n\(a[i])\n\(b[i])")
                }
            }
        }
    }

    /// Formula starts, quotes, commas, line breaks, empty and missing values, non-ASCII text, negative durations,
    /// no API block, list cells with quotes, in every field a column reads straight.
    @Test func escapingAndMissingValuesGiveTheCellsOfTheGeneralLookup() async throws {
        let base = try #require(try await Self.demoEvents(includeRecords: false).first { $0.api != nil })
        let texts: [String?] = [
            nil, "", "=1+1", "+cmd", "-2", "@SUM(A1)", "\tx", "\rx", "a,b", "say \"hi\"", "two\nlines", "é ü 中",
            "=a,\"b\"", "plain", "'quoted'",
        ]
        var events: [AuditEvent] = []
        for (k, t) in texts.enumerated() {
            var e = base
            e.eventID = t ?? ""
            e.requestID = t
            e.actor.user = t
            e.actor.userID = t
            e.actor.ip = t
            e.actor.userAgent = t
            e.actor.origin = t
            e.action = t
            e.entity = AuditEvent.Entity(type: t, id: t, name: t)
            e.outcome.status = k % 3 == 0 ? nil : [200, -1, 0, 503][k % 4]
            e.outcome.result = t ?? ""
            e.outcome.error = t
            if k % 4 == 1 {
                e.api = nil
            } else {
                e.api?.method = t
                e.api?.path = t
                e.api?.route = t
                // A negative number is a number, not a formula (`CSVSink.cell`); text that looks like one is text.
                e.api?.payload = .object([
                    JSONMember("amount", .number(["-42", "-1.5e3", "0", "7"][k % 4])),
                    JSONMember("note", t.map(JSONValue.string) ?? .null),
                ])
                e.api?.query = .object([JSONMember("page", k % 2 == 0 ? .number("-\(k)") : .string("-\(k)"))])
            }
            e.services = t.map { [$0, "b,c"] } ?? []
            e.records = k - 3
            e.flags = k % 2 == 0 ? [] : [.late, .partial]
            if k % 5 == 2 { e.end = e.start - 5_000_000 }
            events.append(e)
        }
        for columns in [CSVSink.defaultColumns, Self.columns] {
            #expect(try Self.written(events, columns: columns) == Self.expected(events, columns: columns))
        }
    }
}
