import ArgumentParser
import AuditPipe

/// `auditpipe test`: runs the `tests:` blocks of pipeline files, as `vector test` does.
struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the tests: block of pipeline files (input lines → expected event fields).",
        discussion: "Example: auditpipe test Pipelines/frappe-access-log.yaml")

    @Argument(help: "Pipeline files (YAML).")
    var files: [String]

    func run() async throws {
        var failed = 0
        var passed = 0
        for file in files {
            let spec = try PipelineFile.loadOrExit(file)
            if spec.tests.isEmpty { print("\(file): no tests") }
            for outcome in await PipelineTestRunner.run(spec) {
                if outcome.passed {
                    passed += 1
                    print("\(file):\(outcome.line): ok: \(outcome.name)")
                } else {
                    failed += 1
                    print("\(file):\(outcome.line): FAILED: \(outcome.name)")
                    for f in outcome.failures { print("    \(f)") }
                }
            }
        }
        print("\(passed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode(1) }
    }
}
