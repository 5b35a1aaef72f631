import Testing

@testable import AuditPipe

struct FilterEvaluationTests {
    let event = AuditEvent(
        eventID: "e1", requestID: "r1", start: 1_795_255_200_000_000_000, end: 1_795_255_200_250_000_000,
        actor: AuditEvent.Actor(user: "alice", userID: "u-1", ip: "10.0.0.5", userAgent: "curl/8.0", origin: "cli"),
        action: "export",
        entity: AuditEvent.Entity(type: "report", id: "common-files/reports/sales.csv", name: nil),
        access: AuditEvent.Access(kind: "export", fileType: "CSV"),
        outcome: AuditEvent.Outcome(status: 403, result: "failure", error: nil),
        api: AuditEvent.API(
            method: "GET", path: "/api/v1/reports/sales/export", query: .object([JSONMember("format", .string("csv"))]),
            payload: .object([JSONMember("amount", .number("12.5")), JSONMember("count", .string("7"))])),
        services: ["api-gateway", "reports"], records: 3, levels: [(.info, 3)], links: [], flags: [.late],
        entries: nil)

    func holds(_ text: String) throws -> Bool { try FilterParser.parse(text).matches(event) }

    /// A pattern that backtracks exponentially gives up on a value (no match) instead of running for minutes:
    /// one such `=~` from a viewer held a core of the screen for three minutes. (No time limit on the test: on a
    /// loaded 2-core CI a starved test passed the one-minute limit while waiting for a thread; without the match
    /// limit this test runs for hours, which the CI's own limit catches.)
    @Test func aPathologicalRegexGivesUpInsteadOfRunningForMinutes() throws {
        var e = event
        e.entity.id = String(repeating: "a", count: 40) + "!"
        #expect(try !FilterParser.parse(#"entity.id =~ "^(a|aa)+$""#).matches(e))
        e.entity.id = String(repeating: "a", count: 40)
        #expect(try FilterParser.parse(#"entity.id =~ "^(a|aa)+$""#).matches(e))
    }

    @Test func equalityAndShorthands() throws {
        #expect(try holds(#"user == "alice""#))
        #expect(try !holds(#"user == "Alice""#))
        #expect(try holds(#"user != "bob""#))
        #expect(try holds(#"origin == "cli" and ip == "10.0.0.5""#))
        #expect(try holds(#"status == 403"#))
        #expect(try holds(#"status == "403""#))
        #expect(try holds(#"method == "GET""#))
    }

    @Test func missingFieldsEqualOnlyNull() throws {
        #expect(try holds("entity.name == null"))
        #expect(try !holds("entity.name != null"))
        #expect(try holds(#"entity.name != "x""#))
        #expect(try !holds(#"entity.name == "x""#))
        #expect(try !holds("api.payload.missing > 1"))
        #expect(try !holds("api.payload.missing < 1"))
        #expect(try holds("user != null"))
    }

    @Test func numbersCompareNumerically() throws {
        #expect(try holds("duration_ms == 250"))
        #expect(try holds("duration_ms > 100 and duration_ms <= 250"))
        #expect(try !holds("duration_ms < 250"))
        #expect(try holds("api.payload.amount > 9"))  // 12.5 > 9 (text order would say no)
        #expect(try holds("api.payload.count >= 7"))  // numeric string
        #expect(try holds("records in [1, 3]"))
    }

    @Test func statusClasses() throws {
        #expect(try holds("outcome.status == 4xx"))
        #expect(try !holds("outcome.status == 2xx"))
        #expect(try holds("outcome.status != 5xx"))
    }

    /// A value that is no finite number an `Int` holds is in no status class: `"status":"NaN"` in one line of a
    /// log trapped the conversion and killed the run (helper-42; before and after the extras gate, which only
    /// changed which runs reached it).
    @Test(arguments: ["NaN", "nan", "inf", "-Infinity", "1e400", "1e19", "99999999999999999999", "-9.3e18"])
    func aNumberPastIntIsInNoStatusClass(value: String) throws {
        for v in [JSONValue.string(value), .number(value)] {
            let record = RecordSubject(time: 0, object: .object([JSONMember("fields", .object([JSONMember("s", v)]))]))
            for c in 1...5 {
                #expect(try !FilterParser.parse("fields.s == \(c)xx", for: .records).matches(record))
                #expect(try FilterParser.parse("fields.s != \(c)xx", for: .records).matches(record))
                #expect(try !FilterParser.parse("fields.s in [\(c)xx]", for: .records).matches(record))
            }
        }
        let ok = RecordSubject(
            time: 0, object: .object([JSONMember("fields", .object([JSONMember("s", .string("503.9"))]))]))
        #expect(try FilterParser.parse("fields.s == 5xx", for: .records).matches(ok))
    }

    @Test func times() throws {
        #expect(try holds("start >= 2026-11-21T10:00:00Z"))
        #expect(try holds("start == 2026-11-21T10:00:00Z"))
        #expect(try !holds("start > 2026-11-21T10:00:00Z"))
        #expect(try holds(#"end < "2026-11-22""#))
        #expect(try holds("start >= 2026-11-21T11:00:00+01:00"))
    }

    @Test func listsMatchAnyElement() throws {
        #expect(try holds(#"services == "reports""#))
        #expect(try holds(#"services contains "api-gateway""#))
        #expect(try !holds(#"services contains "billing""#))
        #expect(try holds(#"services != "billing""#))
        #expect(try !holds(#"services != "reports""#))
        #expect(try holds(#"flags contains "late""#))
        #expect(try holds(#"services in ["billing", "reports"]"#))
        #expect(try holds(#"services ~ "api-*""#))
    }

    @Test func containsOnStringsAndObjects() throws {
        #expect(try holds(#"api.path contains "/reports/""#))
        #expect(try !holds(#"api.path contains "/users/""#))
        #expect(try holds(#"api.query contains "format""#))
        #expect(try holds(#"api.payload contains "amount""#))
    }

    @Test func regexAndGlob() throws {
        #expect(try holds(#"api.path =~ "^/api/v[0-9]+/reports""#))
        #expect(try !holds(#"api.path =~ "^/reports""#))
        #expect(try holds(#"entity.id ~ "common-files/reports/*""#))
        #expect(try holds(#"entity.id ~ "common-files/*/sales.???""#))
        #expect(try !holds(#"entity.id ~ "common-files/reports""#))
        #expect(try !holds(#"entity.id ~ "personal/*""#))
        #expect(GlobPattern("a\\*b").matches("a*b"))
        #expect(!GlobPattern("a\\*b").matches("axxb"))
        #expect(GlobPattern("*a*a*a*b").matches(String(repeating: "a", count: 40) + "b"))
        #expect(!GlobPattern("*a*a*a*b").matches(String(repeating: "a", count: 5000)))
        #expect(GlobPattern("é?").matches("éü"))
    }

    @Test func booleanLogic() throws {
        #expect(try holds(#"not user == "bob""#))
        #expect(try holds(#"user == "bob" or action == "export""#))
        #expect(try !holds(#"user == "bob" and action == "export""#))
        #expect(try holds(#"not (user == "bob" or action == "view") and true"#))
        #expect(try !holds("false"))
    }

    @Test func recordsAreFilteredByTheirOwnFields() throws {
        let record = RecordSubject(
            time: 1_795_255_200_000_000_000,
            object: .object([
                JSONMember("service", .string("billing")), JSONMember("level", .string("error")),
                JSONMember("fields", .object([JSONMember("amount", .number("5"))])),
            ]))
        let e = try FilterParser.parse(
            #"service == "billing" and level == "error" and fields.amount < 10 and time < 2026-11-22"#, for: .records)
        #expect(e.matches(record))
        #expect(try !FilterParser.parse(#"level == "info""#, for: .records).matches(record))
    }

    @Test func timeBounds() {
        let now: Int64 = 1_795_255_200_000_000_000
        #expect(TimeBound.parse("24h", now: now) == now - 86_400 * 1_000_000_000)
        #expect(TimeBound.parse("2026-11-21T10:00:00Z", now: 0) == now)
        #expect(TimeBound.parse("2026-11-21", now: 0) == now - 36_000 * 1_000_000_000)
        #expect(TimeBound.parse("yesterday", now: now) == nil)
    }
}
