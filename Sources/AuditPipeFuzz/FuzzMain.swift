import AuditPipe

#if canImport(Glibc)
    import Glibc
#endif

/// Writes a message to standard error.
func complain(_ text: String) {
    var t = text + "\n"
    t.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

/// The target named by `AUDITPIPE_FUZZ_TARGET`: one of the library's (lines, filter, pipeline, gzip, document,
/// patterns), or `http` (a request reaching `auditpipe serve`).
let fuzzTarget: FuzzTargets.Target? = {
    let name = getenv("AUDITPIPE_FUZZ_TARGET").map { String(cString: $0) } ?? "lines"
    if name == "http" { return nil }
    guard let t = FuzzTargets.Target(rawValue: name) else {
        complain("AUDITPIPE_FUZZ_TARGET must be one of lines, filter, pipeline, gzip, document, patterns, http")
        exit(2)
    }
    return t
}()

/// Runs one input through the chosen target.
func fuzzInput(_ data: UnsafeRawBufferPointer) {
    if let fuzzTarget { FuzzTargets.run(fuzzTarget, data) } else { HTTPRequestFuzz.run(data) }
}

#if FUZZING
    /// LeakSanitizer's suppressions: the filters the `lines` target builds once, in a static, and keeps for the
    /// whole run. LeakSanitizer cannot follow a pointer to an indirect enum's box that carries the case in its
    /// spare bits, so it calls those boxes leaked; nothing allocated per input is suppressed.
    @_cdecl("__lsan_default_suppressions")
    public func leakSuppressions() -> UnsafePointer<CChar> {
        UnsafeRawPointer(("leak:FuzzTargetsO11leanFilters\n" as StaticString).utf8Start).assumingMemoryBound(
            to: CChar.self)
    }

    /// libFuzzer's entry: one input.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
        fuzzInput(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }

    @_silgen_name("LLVMFuzzerRunDriver")
    func runDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
    ) -> CInt

    /// The executable's entry (SwiftPM names it `<module>_main`): hands over to libFuzzer's driver.
    @_cdecl("AuditPipeFuzz_main")
    public func fuzzMain(
        _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
    ) -> CInt {
        var count = argc
        var vector = argv
        return runDriver(&count, &vector, fuzzOne)
    }
#else
    /// Without libFuzzer: replays the files given as arguments (a corpus or a crash) through the target.
    @main
    struct FuzzReplay {
        static func main() {
            for path in CommandLine.arguments.dropFirst() {
                guard let f = fopen(path, "rb") else {
                    complain("cannot open \(path)")
                    exit(2)
                }
                var bytes: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let n = fread(&chunk, 1, chunk.count, f)
                    if n == 0 { break }
                    bytes.append(contentsOf: chunk[0..<n])
                }
                fclose(f)
                bytes.withUnsafeBytes { fuzzInput($0) }
            }
            print("replayed \(CommandLine.arguments.count - 1) inputs through \(fuzzTarget?.rawValue ?? "http")")
        }
    }
#endif
