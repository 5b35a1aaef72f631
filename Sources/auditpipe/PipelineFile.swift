import ArgumentParser
import AuditPipe

#if canImport(Glibc)
    import Glibc
#endif

/// Reads and loads a pipeline file for `run`, `validate` and `test`; problems are printed as
/// `FILE:LINE:COLUMN: error: …` and exit with code 1.
enum PipelineFile {
    /// The loaded spec, or the diagnostics.
    static func load(_ path: String) -> Result<PipelineSpec, PipelineErrors> {
        guard let text = readText(path) else {
            return .failure(
                PipelineErrors(diagnostics: [PipelineDiagnostic(line: 1, column: 1, message: "cannot read the file")]))
        }
        var environment: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") { environment[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
            p += 1
        }
        return PipelineLoader.load(text: text, environment: environment, workingDirectory: workingDirectory())
    }

    /// The spec, or exit 1 after printing its problems.
    static func loadOrExit(_ path: String) throws -> PipelineSpec {
        switch load(path) {
        case .success(let spec): return spec
        case .failure(let errors):
            FileHandleStderr.write(errors.rendered(file: path) + "\n")
            throw ExitCode(1)
        }
    }

    static func workingDirectory() -> String {
        var buf = [CChar](repeating: 0, count: 4096)
        return getcwd(&buf, buf.count).map { String(cString: $0) } ?? "/"
    }

    static func readText(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { return nil }
            if n == 0 { break }
            out.append(contentsOf: buf[0..<n])
            if out.count > 16 << 20 { return nil }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
