import ArgumentParser
import AuditPipe

/// `auditpipe validate`: checks pipeline files without running them.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check pipeline files: keys, types, durations, filters, routes, links and output paths.",
        discussion: """
            Every problem is printed as FILE:LINE:COLUMN: error: MESSAGE; the exit code is 1 when any file has one. \
            Example: auditpipe validate Pipelines/*.yaml
            """)

    @Argument(help: "Pipeline files (YAML).")
    var files: [String]

    func run() throws {
        var failed = false
        for file in files {
            switch PipelineFile.load(file) {
            case .success(let spec):
                print(
                    "\(file): ok (\(spec.inputs.count) inputs, \(spec.outputs.count) outputs, \(spec.tests.count) tests)"
                )
            case .failure(let errors):
                failed = true
                FileHandleStderr.write(errors.rendered(file: file) + "\n")
            }
        }
        if failed { throw ExitCode(1) }
    }
}
