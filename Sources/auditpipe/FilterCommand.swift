import ArgumentParser
import AuditPipe

/// `auditpipe filter`: a live filter for shell pipelines: correlates stdin (or files) and writes the events,
/// or with `--records` the raw records, that match an expression, flushing as they come.
struct FilterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filter",
        abstract: "Write the audit events (or records) from stdin or files that match a filter expression.",
        discussion: """
            Expressions compare dotted paths of the audit event with values:
              user == "alice"                      (user, user_id, ip, origin: actor.*; status, result: outcome.*;
                                                    method, path, query, payload: api.*; service: services)
              outcome.status == 4xx                status classes 1xx to 5xx
              start >= 2026-11-01T00:00:00Z        times (RFC 3339 or a date), also --since/--until 24h
              duration_ms > 500 and records >= 3   numbers
              action in ["export", "print"]        lists
              services contains "billing"          element of a list, substring of a string, key of an object
              api.path =~ "^/api/v[0-9]+/reports"  regular expression (unanchored)
              entity.id ~ "common-files/reports/*" glob: * any run, ? one character, whole value
              not (flags contains "late") or user != null
            Operators: == != < <= > >= in contains =~ ~, and/&&, or/||, not/!, parentheses; strings in double or
            single quotes with \\" \\\\ \\n \\t \\uXXXX escapes. On a list field (services, flags) a test holds if it
            holds for any element. A missing field equals only null.

            Examples:
              kubectl logs -f deploy/gateway | auditpipe filter 'action == "export" and user != "svc-backup"'
              auditpipe demo | auditpipe filter 'outcome.result == "error"' --output-format csv
              auditpipe filter --records 'level == "error" and service == "billing"' app.log
            """)

    @Argument(help: "The filter expression ('true' passes everything).")
    var expression: String

    @Argument(help: "Files, directories, globs, or - for stdin (the default).")
    var inputs: [String] = ["-"]

    @Flag(
        help:
            "Filter raw records (time, request_id, service, level, kind, source, message, fields.*) instead of events.")
    var records = false

    @OptionGroup var range: TimeRangeFlags
    @OptionGroup var pipeline: PipelineFlags
    @OptionGroup var output: OutputFlags

    func run() async throws {
        var options = pipeline.options
        options.live = true
        let expression = range.narrow(try parseFilter(expression, records: records), records: records)
        if records {
            options.parse.includeRecords = true
            options.recordFilter = expression
        } else {
            options.filter = expression
        }
        try await PipelineRunner(
            inputs: inputs, options: options, output: output, records: records, echoDeadLetters: false
        ).run()
    }
}
