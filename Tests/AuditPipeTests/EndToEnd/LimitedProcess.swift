import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `auditpipe` run by `bash -c 'ulimit -n LIMIT; exec python3 measure auditpipe …'` in a directory, spawned
/// and reaped here (not by Foundation). Its own peak resident set size is read by a small python parent that
/// forks it and writes `RUSAGE_CHILDREN`'s peak to `rss`: a process spawned straight from this test process
/// (posix_spawn shares its memory until exec) would be charged the test process's own peak.
struct LimitedProcess {
    let pid: pid_t
    let directory: URL

    /// Forks the command, passes SIGTERM and SIGINT on to it, waits for it, writes its peak RSS (KiB) to `rss`,
    /// and exits with its status.
    static let measure = """
        import os, resource, signal, sys
        pid = os.fork()
        if pid == 0:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
            os.execv(sys.argv[1], sys.argv[1:])
        for s in (signal.SIGTERM, signal.SIGINT):
            signal.signal(s, lambda n, _: os.kill(pid, n))
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
        _, status = os.waitpid(pid, 0)
        open("rss", "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
        sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
        """

    /// Starts `auditpipe arguments…` in `directory` with at most `openFiles` descriptors; its standard
    /// output and error go to `stdout` and `stderr` in that directory.
    init(_ arguments: [String], in directory: URL, openFiles: Int) throws {
        let script =
            "cd \"$1\" && ulimit -n \(openFiles) && shift 1 && exec python3 -c \"$MEASURE\" \"$0\" \"$@\" > stdout 2> stderr"
        let argv = ["/bin/bash", "-c", script, AuditPipeBinary.url.path, directory.path] + arguments
        self.directory = directory
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"
        env["MEASURE"] = Self.measure
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
        let measured = (try? String(contentsOf: directory.appendingPathComponent("rss"), encoding: .utf8)).flatMap {
            Int($0)
        }
        return (code, measured ?? Int(usage.ru_maxrss))
    }
}
