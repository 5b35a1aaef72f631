import COpenSSL

#if canImport(Glibc)
    import Glibc
#endif

/// One accepted client socket, plain or inside TLS: reads and writes bytes under the socket's timeouts, with
/// POSIX-style results (a count, 0 at the end, or -1 with `errno`, `EAGAIN` when a timeout passed).
final class HTTPConnection {
    /// The socket.
    let fd: Int32
    private var ssl: OpaquePointer?

    /// Wraps `fd`; with `tls`, completes the handshake first (each read within the socket's timeout), nil when
    /// it fails (a client speaking plain HTTP, an old protocol version, a timeout).
    init?(fd: Int32, tls: TLSContext?) {
        self.fd = fd
        guard let tls else { return }
        guard let ssl = SSL_new(tls.context) else { return nil }
        guard SSL_set_fd(ssl, fd) == 1, SSL_accept(ssl) == 1 else {
            ERR_clear_error()
            SSL_free(ssl)
            return nil
        }
        self.ssl = ssl
    }

    deinit { if let ssl { SSL_free(ssl) } }

    /// Reads up to `buffer.count` bytes.
    func receive(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let ssl else { return recv(fd, buffer.baseAddress, buffer.count, 0) }
        let n = SSL_read(ssl, buffer.baseAddress, Int32(min(buffer.count, 1 << 30)))
        return n > 0 ? Int(n) : failure(ssl, n)
    }

    /// Writes some of `bytes` (never raising SIGPIPE on a plain socket).
    func send(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard let ssl else { return Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
        let n = SSL_write(ssl, bytes.baseAddress, Int32(min(bytes.count, 1 << 30)))
        return n > 0 ? Int(n) : failure(ssl, n)
    }

    /// Stops writing: TLS's close_notify, then the socket's write side.
    func shutdownWrite() {
        if let ssl { _ = SSL_shutdown(ssl) }
        ERR_clear_error()
        shutdown(fd, Int32(SHUT_WR))
    }

    /// A failed TLS read or write as a POSIX result.
    private func failure(_ ssl: OpaquePointer, _ n: Int32) -> Int {
        let saved = errno
        let code = SSL_get_error(ssl, n)
        ERR_clear_error()
        switch code {
        case SSL_ERROR_ZERO_RETURN: return 0
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: errno = EAGAIN
        // Not EINTR: a TLS read or write is not retried after a failed system call.
        case SSL_ERROR_SYSCALL: errno = saved == 0 || saved == EINTR ? EPIPE : saved
        default: errno = EPROTO
        }
        return -1
    }
}
