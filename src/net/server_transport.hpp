#pragma once
// Byte transport of one connection: plain TCP or TLS (OpenSSL, non-blocking), behind one
// interface so the connection's state machine does not know which it drives.

#include "crypto/tls_cert.hpp"

#include <cstddef>
#include <memory>

struct ssl_ctx_st;
struct ssl_st;

namespace hooktool::net::server {

// The outcome of one read or write attempt.
struct IoResult {
  enum class Status {
    ok,         // n bytes moved
    want_read,  // try again once the socket is readable
    want_write, // try again once the socket is writable
    eof,        // the peer closed (reads only)
    error       // the connection is unusable
  };
  Status status = Status::ok;
  std::size_t n = 0;
};

// Moves bytes over a connected non-blocking socket it does not own.
class Transport {
public:
  Transport() = default;
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;
  virtual ~Transport() = default;
  virtual IoResult read(char* buf, std::size_t size) = 0;
  virtual IoResult write(const char* buf, std::size_t size) = 0;
  // Starts an orderly close of the sending side (TLS close_notify, then TCP FIN).
  virtual void shutdown_write() noexcept = 0;
};

// Plain TCP: recv/send.
std::unique_ptr<Transport> make_plain_transport(int fd);

// A server-side OpenSSL context built once from a certificate and key.
class TlsContext {
public:
  explicit TlsContext(const crypto::CertifiedKey& key);
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;
  ~TlsContext();
  // A TLS transport over fd; the handshake runs inside the first reads and writes.
  [[nodiscard]] std::unique_ptr<Transport> wrap(int fd) const;

private:
  ssl_ctx_st* ctx_ = nullptr;
};

} // namespace hooktool::net::server
