import ArgumentParser
import AuditPipe

/// `auditpipe filter`: a live filter for shell pipelines: correlates stdin (or files) and writes the events,
/// or with `--records` the raw records, that match an expression, flushing as they come.
struct FilterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filter",
        abstract: "Write the audit events (or records) from stdin or files that match a filter expression.",
        discussion: """
            An expression compares dotted paths of the audit event with values:
              user == "alice"                  shorthands: user user_id ip origin
                                               (actor.*), status result error
                                               (outcome.*), method path route
                                               query payload (api.*), service
              api.route == "/api/v1/orders/{id}"
                                               the route template a gateway logged
              outcome.status == 4xx            status classes 1xx to 5xx
              start >= 2026-11-01T00:00:00Z    times: RFC 3339 or a date
              duration_ms > 500                numbers (numeric strings too)
              action in ["export", "print"]    lists
              services contains "billing"      list element, substring, key
              api.path =~ "^/api/v[0-9]+/"     regular expression, unanchored
              entity.id ~ "reports/*"          glob, whole value: * and ?
              not (flags contains "late")      and/&&, or/||, not/!, ( )
            Strings take double or single quotes and \\" \\\\ \\n \\t \\uXXXX. \
            On a list field (services, flags) a test holds for any element; \
            a missing field equals only null. --since/--until take RFC 3339, \
            a date, or an age (24h, 7d).

            Examples:
              kubectl logs -f deploy/gateway \\
                | auditpipe filter 'action == "export" and user != "svc-backup"'
              auditpipe demo | auditpipe filter 'outcome.result == "error"'
              auditpipe filter --records 'level == "error"' app.log
            """)

    @Argument(help: "The filter expression ('true' passes everything).")
    var expression: String

    @Argument(help: "Files, directories, globs, or - for stdin (the default).")
    var inputs: [String] = ["-"]

    @Flag(
        help:
            "Filter raw records instead of events: time, request_id, service, level, kind, source, message, user, ip, method, path, route, status, lines, fields.* (the record's other fields)."
    )
    var records = false

    @OptionGroup var range: TimeRangeFlags
    @OptionGroup var pipeline: PipelineFlags
    @OptionGroup var output: OutputFlags

    func validate() throws {
        if records { try output.checkRecordColumns() } else { try output.checkEventColumns() }
        if records && output.outputDirectory != nil {
            throw ValidationError("--output-dir keeps events by day; --records writes records (use -o FILE)")
        }
        try pipeline.checkInputs(inputs)
    }

    func run() async throws {
        var options = pipeline.options
        // A file that is not text is refused, unless a dead-letter limit says its lines may be read anyway.
        options.parse.refuseBinary = output.maxDeadLetters == nil
        options.live = true
        let expression = range.narrow(try parseFilter(expression, records: records), records: records)
        if records {
            options.parse.includeRecords = true
            options.recordFilter = expression
        } else {
            options.filter = expression
        }
        let pipeline = Pipeline(inputs: inputs, options: options, outputs: output.outputs)
        try await PipelineRunner(
            pipeline: pipeline, quiet: output.quiet, maxDeadLetters: output.maxDeadLetters, echoDeadLetters: false
        ).run()
    }
}
