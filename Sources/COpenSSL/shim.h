#include <openssl/err.h>
#include <openssl/ssl.h>

// Macros Swift cannot call, as functions.

/// Refuses every protocol below TLS 1.2; 1 on success.
static inline int copenssl_require_tls12(SSL_CTX *ctx) {
    return SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
}

/// Turns off TLS-level compression and renegotiation by the client; returns the options now set.
static inline unsigned long copenssl_harden(SSL_CTX *ctx) {
    return SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
}
