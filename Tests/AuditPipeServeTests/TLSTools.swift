import Foundation

/// The commands the TLS tests use: whether they are on PATH, and running one.
enum TLSTools {
    /// `openssl`, `curl` and `python3` are all on PATH.
    static let present = ["openssl", "curl", "python3"].allSatisfy { tool in
        (try? run("/bin/sh", ["-c", "command -v \(tool)"]).status) == 0
    }

    /// Runs a program to completion: its exit status and standard output.
    static func run(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
