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

    /// The file as text (at most 16 MiB: a pipeline file is small).
    static func readText(_ path: String) -> String? {
        guard let bytes = FileBytes.read(path), bytes.count <= 16 << 20 else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
