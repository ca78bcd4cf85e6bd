#include "net/server_transport.hpp"

#include "util/error.hpp"

#include <cerrno>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

namespace hooktool::net::server {

namespace {

class PlainTransport final : public Transport {
public:
  explicit PlainTransport(int fd) : fd_(fd) {}
  IoResult read(char* buf, std::size_t size) override {
    for (;;) {
      const auto r = ::recv(fd_, buf, size, 0);
      if (r > 0)
        return {IoResult::Status::ok, static_cast<std::size_t>(r)};
      if (r == 0)
        return {IoResult::Status::eof, 0};
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        return {IoResult::Status::want_read, 0};
      return {IoResult::Status::error, 0};
    }
  }
  IoResult write(const char* buf, std::size_t size) override {
    for (;;) {
      // MSG_NOSIGNAL: a peer that is gone is an error here, not a SIGPIPE for the process.
      const auto r = ::send(fd_, buf, size, MSG_NOSIGNAL);
      if (r >= 0)
        return {IoResult::Status::ok, static_cast<std::size_t>(r)};
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        return {IoResult::Status::want_write, 0};
      return {IoResult::Status::error, 0};
    }
  }
  void shutdown_write() noexcept override { ::shutdown(fd_, SHUT_WR); }

private:
  int fd_;
};

struct SslDeleter {
  void operator()(SSL* p) const noexcept { SSL_free(p); }
};

class TlsTransport final : public Transport {
public:
  TlsTransport(SSL_CTX* ctx, int fd) : fd_(fd), ssl_(SSL_new(ctx)) {
    if (!ssl_ || SSL_set_fd(ssl_.get(), fd) != 1)
      throw failure("cannot set up a TLS connection");
    SSL_set_accept_state(ssl_.get());
  }
  IoResult read(char* buf, std::size_t size) override {
    ERR_clear_error(); // SSL_get_error reads this thread's queue: start it empty
    std::size_t n = 0;
    const int rc = SSL_read_ex(ssl_.get(), buf, size, &n);
    return rc == 1 ? IoResult{IoResult::Status::ok, n} : failed(rc);
  }
  IoResult write(const char* buf, std::size_t size) override {
    ERR_clear_error();
    std::size_t n = 0;
    const int rc = SSL_write_ex(ssl_.get(), buf, size, &n);
    return rc == 1 ? IoResult{IoResult::Status::ok, n} : failed(rc);
  }
  void shutdown_write() noexcept override {
    ERR_clear_error();
    // Only once the handshake is done: close_notify before it confuses nothing but the log.
    if (SSL_is_init_finished(ssl_.get()) == 1)
      (void)SSL_shutdown(ssl_.get());
    ::shutdown(fd_, SHUT_WR);
    ERR_clear_error();
  }

private:
  IoResult failed(int rc) noexcept {
    const int e = SSL_get_error(ssl_.get(), rc);
    IoResult r;
    switch (e) {
    case SSL_ERROR_WANT_READ:
      r.status = IoResult::Status::want_read;
      break;
    case SSL_ERROR_WANT_WRITE:
      r.status = IoResult::Status::want_write;
      break;
    case SSL_ERROR_ZERO_RETURN:
      r.status = IoResult::Status::eof;
      break;
    default:
      r.status = IoResult::Status::error; // handshake failure, reset, protocol error
      break;
    }
    ERR_clear_error();
    return r;
  }

  int fd_;
  std::unique_ptr<SSL, SslDeleter> ssl_;
};

} // namespace

std::unique_ptr<Transport> make_plain_transport(int fd) {
  return std::make_unique<PlainTransport>(fd);
}

TlsContext::TlsContext(const crypto::CertifiedKey& key) : ctx_(SSL_CTX_new(TLS_server_method())) {
  if (ctx_ == nullptr)
    throw failure("cannot set up the TLS context");
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  // The write buffer is a std::string that may move between retries; partial writes let a
  // large response go out as the socket drains. No renegotiation: it only adds attack surface.
  SSL_CTX_set_mode(ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                             SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_options(ctx_, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  if (SSL_CTX_use_certificate(ctx_, key.cert.get()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx_, key.key.get()) != 1 || SSL_CTX_check_private_key(ctx_) != 1) {
    SSL_CTX_free(ctx_);
    ctx_ = nullptr;
    ERR_clear_error();
    throw failure("cannot set up the TLS context: the certificate and key do not match");
  }
}

TlsContext::~TlsContext() {
  SSL_CTX_free(ctx_);
}

std::unique_ptr<Transport> TlsContext::wrap(int fd) const {
  return std::make_unique<TlsTransport>(ctx_, fd);
}

} // namespace hooktool::net::server
