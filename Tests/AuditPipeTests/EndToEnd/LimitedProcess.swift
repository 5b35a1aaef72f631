import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `auditpipe` run by `bash -c 'ulimit -n LIMIT; exec auditpipe …'` in a directory, spawned and reaped here
/// (not by Foundation), so its own peak resident set size can be read from `wait4`.
struct LimitedProcess {
    let pid: pid_t

    /// Starts `auditpipe arguments…` in `directory` with at most `openFiles` descriptors; its standard
    /// output and error go to `stdout` and `stderr` in that directory.
    init(_ arguments: [String], in directory: URL, openFiles: Int) throws {
        let script = "cd \"$1\" && ulimit -n \(openFiles) && shift 1 && exec \"$0\" \"$@\" > stdout 2> stderr"
        let argv = ["/bin/bash", "-c", script, AuditPipeBinary.url.path, directory.path] + arguments
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"
        var cEnv: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in cEnv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/bash", nil, nil, &cArgs, &cEnv)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL) }
        self.pid = pid
    }

    /// Sends `signal` to the process.
    func send(_ signal: Int32) { kill(pid, signal) }

    /// Waits for the process to end: its exit status (128 + the signal when killed) and peak RSS in KiB.
    func wait() -> (status: Int32, maxRSSKiB: Int) {
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (code, Int(usage.ru_maxrss))
    }
}
