#pragma once

#include "model/http.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace hooktool::net {

// How an outgoing request failed before a status line arrived.
enum class TransportError { none, connect, resolve, timeout, tls, other };

// "connect", "resolve", "timeout", "tls", "other" ("" for none).
std::string_view to_string(TransportError e) noexcept;

struct HttpResponse;
// The failure's kind as a user reads it: "refused" (nothing listening), "timeout", "dns",
// "tls", "connect" (reset or closed without an answer), "other"; "" when there was an answer.
std::string_view failure_kind(const HttpResponse& r) noexcept;

// Client settings shared by every request of one command.
struct ClientOptions {
  std::chrono::milliseconds timeout{30000};
  enum class Tls { verify, insecure } tls = Tls::verify;
  std::size_t max_response_body = 1 << 20;  // kept for display; the rest is counted, not stored
  bool follow_redirects = false;            // --location: same method and body, at most 10 hops
  std::string timeout_option = "--timeout"; // named in a timeout's message
  // An answer with Content-Encoding gzip, deflate or br is decoded (the body is the decoded
  // bytes; the headers stay as received). The request still goes out exactly: its own
  // Accept-Encoding, or none. For answers that are judged as text (handshakes).
  bool decode_answer = false;
};

// What came back: a status, or a transport error; never an exception from inside curl.
struct HttpResponse {
  int status = 0; // 0 when error != none
  model::Headers headers;
  std::string body;          // at most max_response_body bytes
  std::size_t body_size = 0; // full size received
  std::int64_t duration_ms = 0;
  std::int64_t duration_us = 0; // the same, finer (latency percentiles)
  std::string remote;           // "ip:port" the connection went to
  TransportError error = TransportError::none;
  bool refused = false;      // connect: the host refused it (nothing listening on the port)
  std::string error_message; // one line, for the user, with a hint when one helps
  [[nodiscard]] bool ok_2xx() const noexcept { return status >= 200 && status < 300; }
};

// An HTTP client: connections are reused between requests. A plain http:// request that needs
// nothing of libcurl's goes over a socket of its own (net/plain_http: same bytes, answer and
// errors); the others (https, --location, decoding, a proxy in the environment, Expect or
// Transfer-Encoding headers) on one libcurl easy handle, made on first use.
class HttpClient {
public:
  explicit HttpClient(ClientOptions options);
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;
  ~HttpClient();

  // Sends the request exactly: method, absolute URL, headers in order, body bytes.
  HttpResponse send(const model::HttpRequest& request);

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Waits until HOST:PORT accepts a TCP connection (each address it resolves to is tried),
// polling with a growing pause (10 ms doubling to 250 ms) until `limit` has passed. True as
// soon as one connect succeeds (the connection is closed again); false when time runs out.
bool wait_until_accepting(const std::string& host, int port, std::chrono::milliseconds limit);

} // namespace hooktool::net
