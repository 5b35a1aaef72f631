import Testing

@testable import AuditPipe

struct FilterParserTests {
    /// The expression's structure, printed fully parenthesised.
    func shape(_ text: String) throws -> String {
        func show(_ e: FilterExpression) -> String {
            switch e {
            case .constant(let b): return "\(b)"
            case .and(let a, let b): return "(\(show(a)) and \(show(b)))"
            case .or(let a, let b): return "(\(show(a)) or \(show(b)))"
            case .not(let x): return "not \(show(x))"
            case .compare(let p, let op, let v): return "\(p.segments.joined(separator: ".")) \(op.rawValue) \(v)"
            case .isIn(let p, let list):
                return "\(p.segments.joined(separator: ".")) in [\(list.map { "\($0)" }.joined(separator: ", "))]"
            case .contains(let p, let v): return "\(p.segments.joined(separator: ".")) contains \(v)"
            case .matches(let p, let r): return "\(p.segments.joined(separator: ".")) =~ \(r.pattern)"
            case .glob(let p, let g): return "\(p.segments.joined(separator: ".")) ~ \(g.pattern)"
            }
        }
        return show(try FilterParser.parse(text))
    }

    /// Level names are the stored ones whatever synonym is written; an unknown one is an error, not a filter
    /// that silently matches nothing.
    @Test func levelSynonymsMeanTheStoredNames() throws {
        func records(_ text: String) throws -> FilterExpression { try FilterParser.parse(text, for: .records) }
        guard case .compare(_, _, .string(let warn)) = try records(#"level == "warning""#) else {
            Issue.record("not a comparison")
            return
        }
        #expect(warn == "warn")
        guard case .isIn(_, let list) = try records(#"level in ["ERR", "Critical", "panic"]"#) else {
            Issue.record("not a list")
            return
        }
        #expect(list.map { "\($0)" } == [#"string("error")"#, #"string("fatal")"#, #"string("fatal")"#])
        #expect(try shape(#"levels contains "warning""#) == #"levels contains string("warn")"#)
        #expect(try shape("levels.warning >= 1") == #"levels.warn >= number(1.0, text: "1")"#)
        #expect(try shape("levels.ERR >= 1") == #"levels.error >= number(1.0, text: "1")"#)
        #expect(throws: FilterSyntaxError.self) { try FilterParser.parse("levels.bogus >= 1") }
        #expect(throws: FilterSyntaxError.self) { try records(#"level == "loud""#) }
    }

    @Test func everyOperatorParses() throws {
        #expect(try shape(#"user == "alice""#) == #"actor.user == string("alice")"#)
        #expect(try shape(#"user != "alice""#) == #"actor.user != string("alice")"#)
        #expect(try shape("duration_ms < 5") == #"duration_ms < number(5.0, text: "5")"#)
        #expect(try shape("duration_ms <= 5") == #"duration_ms <= number(5.0, text: "5")"#)
        #expect(try shape("records > 2") == #"records > number(2.0, text: "2")"#)
        #expect(try shape("records >= 2.5") == #"records >= number(2.5, text: "2.5")"#)
        #expect(try shape(#"action in ["export", "print"]"#) == #"action in [string("export"), string("print")]"#)
        #expect(try shape(#"services contains "billing""#) == #"services contains string("billing")"#)
        #expect(try shape(#"api.path =~ "^/api/v[0-9]+""#) == "api.path =~ ^/api/v[0-9]+")
        #expect(try shape(#"entity.id ~ "common-files/reports/*""#) == "entity.id ~ common-files/reports/*")
        #expect(try shape("outcome.status == 4xx") == "outcome.status == statusClass(4)")
        #expect(try shape("start >= 2026-11-01T00:00:00Z") == "start >= time(1793491200000000000)")
        #expect(try shape(#"start < "2026-11-02""#) == "start < time(1793577600000000000)")
        #expect(try shape("entity.name == null") == "entity.name == null")
        #expect(try shape("true") == "true")
        #expect(try shape("flags contains 'late'") == #"flags contains string("late")"#)
    }

    @Test func shorthandsResolve() throws {
        #expect(try shape(#"status == 200"#) == #"outcome.status == number(200.0, text: "200")"#)
        #expect(try shape(#"method == "GET""#) == #"api.method == string("GET")"#)
        #expect(try shape(#"service == "auth""#) == #"services == string("auth")"#)
        #expect(try shape(#"payload.amount > 10"#) == #"api.payload.amount > number(10.0, text: "10")"#)
    }

    @Test func precedenceIsNotThenAndThenOr() throws {
        #expect(try shape("true or false and false") == "(true or (false and false))")
        #expect(try shape("(true or false) and false") == "((true or false) and false)")
        #expect(try shape("not true and false") == "(not true and false)")
        #expect(try shape("not (true and false)") == "not (true and false)")
        #expect(try shape("true && false || !true") == "((true and false) or not true)")
        #expect(try shape("true or false or true") == "((true or false) or true)")
    }

    @Test func stringEscapes() throws {
        #expect(try shape(#"user == "a\"b\\c\n\t\u00e9""#) == #"actor.user == string("a\"b\\c\n\té")"#)
        #expect(try shape(#"user == 'it\'s'"#) == #"actor.user == string("it\'s")"#)  // debugDescription escapes '
        #expect(try shape(#"entity.id ~ "a\*b""#) == #"entity.id ~ a\*b"#)
    }

    @Test(
        arguments: [
            (
                "user ==", "expected a value after '==', found the end of the expression",
                "  user ==\n         ^"
            ),
            (#"user = "a""#, "unexpected '=': use '==' to compare", #"  user = "a"\#n       ^"#),
            (#"(user == "a""#, "expected ')' to close the '(' at column 1, found the end of the expression", nil),
            (#"user == "a")"#, "unexpected ')' without a matching '('", nil),
            (#"user == "alice"#, "unterminated string", #"  user == "alice\#n          ^"#),
            (
                #"user "alice""#,
                "expected an operator (== != < <= > >= in contains =~ ~) after 'user', found a string", nil
            ),
            (#"== "a""#, "expected a field path, found '=='", nil),
            (#"user in "a""#, "expected '[' to start a list after 'in', found a string", nil),
            (#"user in ["a",]"#, "expected a value in the list, found ']'", nil),
            (#"user in ["a" "b"]"#, "expected ',' or ']' in the list, found a string", nil),
            (
                #"user =~ "(unclosed""#,
                #"invalid regular expression "(unclosed": missing closing parenthesis at offset 9"#, nil
            ),
            (
                "start >= 2026-13-01T00:00:00Z",
                "invalid timestamp '2026-13-01T00:00:00Z' (expected RFC 3339, e.g. 2026-11-01T00:00:00Z)", nil
            ),
            (
                #"start >= "yesterday""#,
                "invalid timestamp 'yesterday' (expected RFC 3339, e.g. 2026-11-01T00:00:00Z)", nil
            ),
            (#"user == "a" and"#, "expected a field path, found the end of the expression", nil),
            (#"user == "\q""#, #"unknown escape '\q' in a string"#, nil),
            ("status == 6xx", "invalid status class '6xx' (expected 1xx to 5xx)", nil),
            ("status < 4xx", "a status class can only be compared with == or !=", nil),
            ("user ~ 42", "'~' needs a quoted glob pattern, found the number 42", nil),
            (#"user == "a" user == "b""#, "expected 'and', 'or' or the end of the expression, found 'user'", nil),
            ("$user", "unexpected character '$'", nil),
            (#"usr == "a""#, "unknown field 'usr' (did you mean 'user'?)", nil),
            (
                #"colour == "red""#,
                "unknown field 'colour'; fields are event_id, request_id, start, end, duration_ms, actor, action, entity, access, outcome, api, services, records, levels, links, flags, entries",
                nil
            ),
            ("", "expected a field path, found the end of the expression", nil),
        ] as [(String, String, String?)])
    func malformedExpressionsNameTheFault(text: String, message: String, rendered: String?) {
        do {
            _ = try FilterParser.parse(text)
            Issue.record("parsed: \(text)")
        } catch {
            #expect(error.message == message)
            if let rendered { #expect(error.rendered == "bad filter expression: \(message)\n\(rendered)") }
        }
    }

    /// A record filter naming no record field is an error with a did-you-mean, as an event filter is, not a
    /// filter that silently matches nothing (issue 14, from a new-user trial).
    @Test(
        arguments: [
            (#"usr == "x""#, "unknown record field 'usr' (did you mean 'user'?)"),
            (#"levle == "error""#, "unknown record field 'levle' (did you mean 'level'?)"),
            (
                #"tenant == "acme""#,
                "unknown record field 'tenant'; record fields are time, request_id, service, level, kind, source, message, user, ip, method, path, route, status, lines, fields, and a record's other fields are fields.NAME (fields.tenant)"
            ),
        ] as [(String, String)])
    func recordFiltersNamingNoRecordFieldAreRefused(text: String, message: String) {
        do {
            _ = try FilterParser.parse(text, for: .records)
            Issue.record("parsed: \(text)")
        } catch {
            #expect(error.message == message)
        }
    }

    @Test func recordFiltersAcceptTheRecordsFieldsAndAnyFieldsPath() throws {
        for text in [
            #"user == "x" and ip == "1.2.3.4" and method == "GET" and status >= 500"#,
            #"fields.tenant == "acme" and message ~ "*fail*" and source ~ "app.log:*""#,
            #"request_id == "r1" and service == "api" and kind == "log" and route == "/a" and path == "/a""#,
        ] {
            _ = try FilterParser.parse(text, for: .records)
        }
    }

    @Test func caretPointsAtTheFaultInCharacters() {
        do {
            _ = try FilterParser.parse(#"user == "é" and =="#)
            Issue.record("parsed")
        } catch {
            #expect(error.rendered.hasSuffix("\n  user == \"é\" and ==\n                  ^"))
        }
    }

    @Test func deepNestingIsRefusedNotOverflowed() throws {
        let deep = String(repeating: "(", count: 100_000) + "true" + String(repeating: ")", count: 100_000)
        do {
            _ = try FilterParser.parse(deep)
            Issue.record("parsed")
        } catch {
            #expect(error.message == "expression nested deeper than 256 levels")
            #expect(error.offset == 256)
        }
        let nots = String(repeating: "not ", count: 50_000) + "true"
        #expect(throws: FilterSyntaxError.self) { try FilterParser.parse(nots) }
        let fine = String(repeating: "(", count: 200) + "true" + String(repeating: ")", count: 200)
        #expect(try shape(fine) == "true")
    }

    @Test func recordsAcceptAnyPath() throws {
        let e = try FilterParser.parse(#"fields.x_request_id == "r1" and time >= "2026-11-21""#, for: .records)
        guard case .and(.compare(let p, _, _), .compare(_, _, .time)) = e else {
            Issue.record("shape")
            return
        }
        #expect(p.segments == ["fields", "x_request_id"])
    }
}
