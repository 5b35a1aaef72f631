import ArgumentParser
import AuditPipe

/// `auditpipe demo`: writes a realistic multi-service log dump to stdout.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Write a realistic multi-service log dump (gateway API records plus service logs) to stdout.",
        discussion: """
            Per request the gateway logs a "request received" line with the route \
            template ({id}, :id or <id>: FastAPI, Express, Flask) and then its API \
            payload record with the concrete path; 2-6 services log in their own ways.

            Example:
              auditpipe demo --requests 200 --seed 7 | auditpipe correlate -
            """)

    @Option(help: "Number of API requests to simulate (e.g. --requests 1000).")
    var requests: Int = 1000

    @Option(help: "Random seed: the same seed gives the same dump (e.g. --seed 42).")
    var seed: UInt64 = 1

    func run() throws {
        let out = try OutputFile(path: "-")
        var generator = DemoGenerator(requests: requests, seed: seed)
        do {
            try generator.run { try out.write($0) }
            try out.close()
        } catch let e as OutputError where e.isBrokenPipe {
            return
        }
    }
}
