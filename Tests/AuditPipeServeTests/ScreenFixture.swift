import AuditPipe
import AuditPipeServe
import Foundation

/// A three-day archive built through the real pipeline (demo logs → `correlate --output-dir` → `archive`),
/// a users file with an auditor and a viewer, and the screen serving it in this process on a free loopback
/// port, with its access audit log in `auditLog`. Built once for the suites that share it.
final class ScreenFixture: Sendable {
    static let auditor = ("alice", "correct horse battery")
    static let viewer = ("victor", "viewer password 1")

    let directory: URL
    let archive: String
    let usersFile: String
    let auditLog: String
    let port: UInt16
    private let server: ScreenServer

    /// The shared fixture (built on first use).
    static let shared: Result<ScreenFixture, any Error> = Result { try ScreenFixture() }

    static func get() throws -> ScreenFixture { try shared.get() }

    private init() throws {
        directory = try ServeBinary.temporaryDirectory()
        archive = directory.appendingPathComponent("archive").path
        usersFile = directory.appendingPathComponent("users.txt").path
        auditLog = directory.appendingPathComponent("screen-live").path
        try Self.buildArchive(in: directory)
        var users = UsersFile()
        try users.set(name: Self.auditor.0, role: .auditor, password: Self.auditor.1)
        try users.set(name: Self.viewer.0, role: .viewer, password: Self.viewer.1)
        try users.save(usersFile)
        let router = ScreenRouter(
            catalog: ScreenCatalogs.open([archive]), authenticator: try Authenticator(usersFile: usersFile),
            auditLog: try AccessAuditLog(directory: auditLog))
        server = try ScreenServer(router: router, host: "127.0.0.1", port: 0)
        port = server.port
        let s = server
        Thread.detachNewThread { s.run() }
    }

    /// Demo logs of three UTC days (`requests` each, by default 400, 10:00 on 2026-11-19, -20 and -21), correlated into a live
    /// directory and archived.
    static func buildArchive(in dir: URL, requests: Int = 400, seed: UInt64 = 11) throws {
        var inputs: [String] = []
        for day in 0..<3 {
            let name = "demo-\(day).log"
            var bytes: [UInt8] = []
            var generator = DemoGenerator(
                requests: requests, seed: seed + UInt64(day),
                start: (1_795_255_200 - Int64(2 - day) * 86_400) * UTCTime.second
            )
            generator.run { bytes += $0 }
            try Data(bytes).write(to: dir.appendingPathComponent(name))
            inputs.append(name)
        }
        let correlate = try ServeBinary.run(["correlate"] + inputs + ["--output-dir", "live", "-q"], in: dir)
        guard correlate.status == 0 else { throw FixtureError(message: "correlate: \(correlate.stderr)") }
        let archive = try ServeBinary.run(
            ["archive", "--from", "live", "--to", "archive", "--older-than", "0", "-q"], in: dir)
        guard archive.status == 0 else { throw FixtureError(message: "archive: \(archive.stderr)") }
    }

    /// `auditpipe query archive ARGS` from the command line: its stdout.
    func query(_ args: [String]) throws -> Data {
        let r = try ServeBinary.run(["query", archive, "-q"] + args, in: directory)
        guard r.status == 0 else { throw FixtureError(message: "query \(args): \(r.stderr)") }
        return r.stdout
    }

    /// The JSON objects of `query`'s JSONL output.
    func queryEvents(_ args: [String]) throws -> [[String: Any]] {
        try query(args).split(separator: 10).map {
            try JSONSerialization.jsonObject(with: Data($0)) as! [String: Any]
        }
    }

    /// Every access audit event written so far.
    func auditEvents() throws -> [[String: Any]] {
        var out: [[String: Any]] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: auditLog).sorted()
        where name.hasSuffix(".jsonl") {
            let data = try Data(contentsOf: URL(fileURLWithPath: auditLog).appendingPathComponent(name))
            for line in data.split(separator: 10) {
                out.append(try JSONSerialization.jsonObject(with: Data(line)) as! [String: Any])
            }
        }
        return out
    }

    struct FixtureError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
