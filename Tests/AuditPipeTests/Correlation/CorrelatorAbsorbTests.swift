import Testing

@testable import AuditPipe

/// The correlate stage folds each record where it lies in its batch (`Correlator.absorb`) rather than moving it
/// out (`add`): the groups must be the same either way, a record left in the batch keeps only what its group did
/// not take, and a group that keeps its records keeps them as they came.
struct CorrelatorAbsorbTests {
    func batch() -> [LogRecord] {
        let rows: [(id: String?, ms: Int64, service: String, user: String?, ip: String?)] = [
            ("a", 0, "gateway", "alice", "10.0.0.1"), ("b", 1, "orders", nil, "10.0.0.2"),
            ("a", 2, "orders", "mallory", nil), (nil, 3, "cron", "root", nil), ("b", 4_000, "gateway", "bob", nil),
        ]
        return rows.enumerated().map { seq, row in
            var r = LogRecord(
                time: row.ms * 1_000_000, timeKnown: true, kind: .log,
                position: SourcePosition(input: 0, line: Int64(seq), offset: Int64(seq) * 100))
            r.requestID = row.id
            r.sequence = Int64(seq)
            r.service = row.service
            r.actor = ActorFields(user: row.user, ip: row.ip)
            return r
        }
    }

    func summary(_ groups: [GroupAccumulator]) -> [String] {
        groups.map { g in
            let services = g.services.map(\.name).joined(separator: ",")
            let actor = [g.actor.user, g.actor.ip].map { $0 ?? "-" }.joined(separator: ",")
            let embedded = g.embedded.map { "\($0.count) embedded" } ?? ""
            return "\(g.requestID ?? "-") \(g.records) \(g.start) \(g.end) \(services) \(actor) \(g.flags) \(embedded)"
        }
    }

    func run(includeRecords: Bool) {
        var options = CorrelationOptions()
        options.includeRecords = includeRecords
        var byCopy = Correlator(options: options)
        for r in batch() { byCopy.add(r) }
        byCopy.finish()
        var inPlace = Correlator(options: options)
        var records = batch()
        for i in records.indices { inPlace.absorb(&records[i]) }
        inPlace.finish()
        let groups = inPlace.drainClosed()
        #expect(summary(groups) == summary(byCopy.drainClosed()))
        if includeRecords {
            // The group embeds each record as it came, before taking its fields; the record keeps its id.
            let embedded = groups.flatMap { $0.embedded ?? [] }.sorted { $0.sequence < $1.sequence }
            #expect(embedded.map(\.actor) == batch().map(\.actor))
            #expect(embedded.map(\.service) == batch().map(\.service))
            #expect(records.map(\.requestID) == batch().map(\.requestID))
        } else {
            // The group took the id, and the first record of each group its service and actor.
            #expect(records.allSatisfy { $0.requestID == nil })
            #expect(records[0].service == nil && records[0].actor.isEmpty)
        }
    }

    @Test func recordsFoldedInPlaceMakeTheGroupsMovedRecordsDo() { run(includeRecords: false) }

    @Test func recordsFoldedInPlaceAreEmbeddedWhole() { run(includeRecords: true) }
}
