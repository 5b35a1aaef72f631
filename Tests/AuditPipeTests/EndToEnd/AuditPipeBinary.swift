import Foundation

/// Runs the built `auditpipe` executable (it sits beside the test bundle in the build directory).
enum AuditPipeBinary {
    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: String
    }

    static var url: URL {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("auditpipe")
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDir), !isDir.boolValue {
                return candidate
            }
            dir = dir.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/auditpipe")
    }

    /// The repository root (for `Fixtures/` and `../shared/realdata`).
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static func run(
        _ arguments: [String], in directory: URL? = nil, stdin: Data? = nil, environment: [String: String] = [:],
        stdinFile: URL? = nil
    ) throws -> Result {
        let p = Process()
        p.executableURL = url
        p.arguments = arguments
        if let directory { p.currentDirectoryURL = directory }
        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"
        env.merge(environment) { $1 }
        p.environment = env
        // stdout and stderr go to files, so neither pipe can fill up while the other is read.
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outURL = dir.appendingPathComponent("stdout")
        let errURL = dir.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: outURL)
        p.standardError = try FileHandle(forWritingTo: errURL)
        // A file on standard input can be left unread (a write to a closed pipe would end the tests).
        if let stdinFile {
            p.standardInput = try FileHandle(forReadingFrom: stdinFile)
            try p.run()
        } else {
            let input = Pipe()
            p.standardInput = input
            try p.run()
            if let stdin { input.fileHandleForWriting.write(stdin) }
            try input.fileHandleForWriting.close()
        }
        p.waitUntilExit()
        return Result(
            status: p.terminationStatus, stdout: try Data(contentsOf: outURL),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("auditpipe-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func stats(at url: URL) throws -> [String: Int] {
        let obj = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return obj.compactMapValues { $0 as? Int }
    }

    /// Starts the binary in `dir` with `arguments` (a follower, typically) with backtraces off, stdout sent to
    /// `standardOutput` (discarded unless given: a file handle, or a pipe nobody reads) and stderr discarded or
    /// written to `stderrFile` in `dir`, so a test can signal it and wait for it.
    static func start(
        _ arguments: [String], in dir: URL, stderrFile: String? = nil, standardOutput: Any = FileHandle.nullDevice
    ) throws -> Process {
        let p = Process()
        p.executableURL = url
        p.arguments = arguments
        p.currentDirectoryURL = dir
        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"
        p.environment = env
        p.standardOutput = standardOutput
        if let stderrFile {
            let file = dir.appendingPathComponent(stderrFile)
            _ = FileManager.default.createFile(atPath: file.path, contents: nil)
            p.standardError = try FileHandle(forWritingTo: file)
        } else {
            p.standardError = FileHandle.nullDevice
        }
        try p.run()
        return p
    }

    /// The `inputs` of `dir/state/checkpoint.json` (empty before the first commit).
    static func checkpointInputs(_ dir: URL) -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: dir.appendingPathComponent("state/checkpoint.json").path),
            let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let inputs = obj["inputs"] as? [[String: Any]]
        else { return [] }
        return inputs
    }

    /// Appends `text` to the file at `path` in one write (creating it).
    static func append(_ text: String, to path: String) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        _ = text.withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }
}
