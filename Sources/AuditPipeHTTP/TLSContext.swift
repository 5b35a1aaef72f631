import COpenSSL

/// A server's TLS settings through the system's OpenSSL: its certificate chain and private key (PEM files),
/// TLS 1.2 and later only, no compression or client renegotiation. Shared by every connection (OpenSSL's
/// context is safe to use from several threads once set up).
public final class TLSContext: @unchecked Sendable {
    let context: OpaquePointer

    /// Loads the certificate chain at `certificate` and the private key at `key` (PEM; the key unencrypted).
    public init(certificate: String, key: String) throws(HTTPServerError) {
        guard let ctx = SSL_CTX_new(TLS_server_method()) else {
            throw HTTPServerError("TLS: cannot set up OpenSSL: \(Self.lastError())")
        }
        guard copenssl_require_tls12(ctx) == 1 else {
            SSL_CTX_free(ctx)
            throw HTTPServerError("TLS: cannot require TLS 1.2: \(Self.lastError())")
        }
        _ = copenssl_harden(ctx)
        guard SSL_CTX_use_certificate_chain_file(ctx, certificate) == 1 else {
            SSL_CTX_free(ctx)
            throw HTTPServerError(
                "--tls-cert \(certificate): not a readable PEM certificate chain (\(Self.lastError()))")
        }
        guard SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) == 1 else {
            SSL_CTX_free(ctx)
            let detail = Self.lastError()
            if detail.contains("values mismatch") {
                throw HTTPServerError("--tls-key \(key) is not the key of the certificate in --tls-cert \(certificate)")
            }
            throw HTTPServerError("--tls-key \(key): not a readable, unencrypted PEM private key (\(detail))")
        }
        guard SSL_CTX_check_private_key(ctx) == 1 else {
            SSL_CTX_free(ctx)
            throw HTTPServerError("--tls-key \(key) is not the key of the certificate in --tls-cert \(certificate)")
        }
        context = ctx
    }

    deinit { SSL_CTX_free(context) }

    /// OpenSSL's queued errors as text (and the queue emptied), or a placeholder.
    static func lastError() -> String {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return messages.isEmpty ? "no detail from OpenSSL" : messages.joined(separator: "; ")
    }
}
