import ArgumentParser
import AuditPipe
import AuditPipeHTTP
import AuditPipeServe

#if canImport(Glibc)
    import Glibc
#endif

/// `auditpipe serve`: the audit screen and its JSON API over archives.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the audit screen (event list, details, activity, exports) and its JSON API.",
        discussion: """
            Signs users in with HTTP Basic auth against the users file (`auditpipe users add`); viewers list \
            and read, auditors also export. Every export and details view is written to --audit-log as an \
            audit event. On loopback by default; to serve other hosts, give it a certificate (--tls-cert, \
            --tls-key: TLS 1.2 and later) or put it behind a TLS proxy.

            Examples:
              auditpipe users add users.txt alice --role auditor
              auditpipe serve archive/ --users users.txt --audit-log screen-live/
              auditpipe serve archive/ --users users.txt --listen [::]:8443 \\
                  --tls-cert /etc/auditpipe/cert.pem --tls-key /etc/auditpipe/key.pem
              curl -u alice \\
                  'http://127.0.0.1:8080/api/events?q=outcome.status%20%3D%3D%204xx'
            """)

    @Argument(help: "Archive directories.")
    var archives: [String]

    @Option(
        help: """
            Address and port to listen on: IPv4, or IPv6 in brackets ([::]:8080 takes IPv4 too), \
            e.g. [::1]:8080, or 0.0.0.0:8443 behind a TLS proxy.
            """)
    var listen: String = "127.0.0.1:8080"

    @Option(
        name: .customLong("request-timeout"),
        help: """
            Seconds of work on one request (a list, an export) before it is stopped with 503, \
            e.g. --request-timeout 120.
            """)
    var requestTimeout: Double = HTTPLimits().requestTimeoutSeconds

    @Option(
        name: .customLong("write-timeout"),
        help: "Seconds one write of an answer may wait for a client that does not read, e.g. --write-timeout 30.")
    var writeTimeout: Int = HTTPLimits().writeTimeoutSeconds

    @Option(help: "Users file (see `auditpipe users`).")
    var users: String

    @Option(
        name: .customLong("tls-cert"),
        help: "Serve HTTPS with this PEM certificate chain (with --tls-key), e.g. --tls-cert /etc/auditpipe/cert.pem.")
    var tlsCert: String?

    @Option(
        name: .customLong("tls-key"),
        help: "The unencrypted PEM private key of --tls-cert, e.g. --tls-key /etc/auditpipe/key.pem.")
    var tlsKey: String?

    @Option(
        name: .customLong("audit-log"),
        help: "Live directory where exports and details views are logged (archive it with `auditpipe archive`).")
    var auditLog: String?

    func validate() throws {
        guard !archives.isEmpty else { throw ValidationError("name at least one archive directory") }
        guard let colon = listen.lastIndex(of: ":"), UInt16(listen[listen.index(after: colon)...]) != nil else {
            throw ValidationError("--listen takes HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080; got '\(listen)'")
        }
        let host = listen[..<colon]
        if host.contains(":") && !(host.hasPrefix("[") && host.hasSuffix("]")) {
            throw ValidationError("--listen: write an IPv6 address in brackets, e.g. [::1]:8080; got '\(listen)'")
        }
        guard (tlsCert == nil) == (tlsKey == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together: give both for HTTPS, or neither")
        }
        guard requestTimeout > 0 else { throw ValidationError("--request-timeout takes seconds above 0") }
        guard writeTimeout >= 1 else { throw ValidationError("--write-timeout takes whole seconds from 1") }
    }

    func run() throws {
        // A parent may have left SIGINT/SIGTERM blocked (the serve has nothing to flush: every log entry is
        // fsynced as written), so they end it by their default action.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGINT)
        sigaddset(&stopSignals, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
        for dir in archives {
            var st = stat()
            guard stat(dir, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
                FileHandleStderr.write("auditpipe: input error: \(dir): no such archive directory\n")
                throw ExitCode(2)
            }
        }
        let colon = listen.lastIndex(of: ":")!
        let host = String(listen[..<colon])
        let port = UInt16(listen[listen.index(after: colon)...])!
        let authenticator: Authenticator
        do {
            authenticator = try Authenticator(usersFile: users)
        } catch {
            FileHandleStderr.write("auditpipe: \(error)\n")
            throw ExitCode(1)
        }
        var tls: TLSContext?
        if let tlsCert, let tlsKey {
            do {
                tls = try TLSContext(certificate: tlsCert, key: tlsKey)
            } catch {
                FileHandleStderr.write("auditpipe: \(error)\n")
                throw ExitCode(1)
            }
        }
        if tls == nil && !host.hasPrefix("127.") && host != "localhost" && host != "[::1]" {
            FileHandleStderr.write(
                "auditpipe: warning: listening on \(host), beyond loopback, over plain HTTP: passwords cross the "
                    + "network readable; give serve --tls-cert and --tls-key, or put it behind a TLS proxy and "
                    + "listen on 127.0.0.1\n")
        }
        if auditLog == nil {
            FileHandleStderr.write("auditpipe: warning: no --audit-log: exports and details views are not logged\n")
        }
        if auditLog?.isEmpty == true { throw ValidationError("--audit-log: the path is empty") }
        let accessLog: AccessAuditLog?
        do {
            accessLog = try auditLog.map { (d) throws(OutputError) in
                try OutputFile.check(d, directory: true)
                return try AccessAuditLog(directory: d)
            }
        } catch {
            FileHandleStderr.write("auditpipe: cannot open --audit-log \(error)\n")
            throw ExitCode(3)
        }
        let router = ScreenRouter(
            catalog: ScreenCatalogs.open(archives), authenticator: authenticator, auditLog: accessLog)
        let server: ScreenServer
        do {
            var limits = HTTPLimits()
            limits.requestTimeoutSeconds = requestTimeout
            limits.writeTimeoutSeconds = writeTimeout
            server = try ScreenServer(router: router, host: host, port: port, limits: limits, tls: tls)
        } catch {
            FileHandleStderr.write("auditpipe: \(error)\n")
            throw ExitCode(1)
        }
        let scheme = tls == nil ? "http" : "https"
        FileHandleStderr.write(
            "auditpipe: serving \(archives.joined(separator: ", ")) on \(scheme)://\(host):\(server.port)/\n")
        server.run()
    }
}
