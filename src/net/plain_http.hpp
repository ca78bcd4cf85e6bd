#pragma once
// HttpClient's way without libcurl: one plain http:// request on a socket of its own. The bytes
// are serialise_request's (what the libcurl path sends for the same request), the answer is
// read by ResponseParser keeping headers and body, and a failure gets the libcurl path's kind
// and, for refused, timed out and unresolved, its message (Transfer::finish and explain).
// HttpClient::send takes this way when plain_eligible says nothing of libcurl's is needed, so a
// single send, replay, check or forward to http:// never loads libcurl nor the two dozen
// libraries Debian's libcurl4 brings. Internal to src/net.

#include "model/http.hpp"
#include "model/url.hpp"
#include "net/http_client.hpp"
#include "net/load_response.hpp"
#include "util/fd.hpp"

#include <chrono>
#include <netdb.h>
#include <optional>
#include <string>

namespace hooktool::net::detail {

// Whether the environment gives libcurl a proxy for http:// URLs: http_proxy (the only
// spelling libcurl reads for http), else all_proxy, else ALL_PROXY; an empty one is unset.
// no_proxy is not weighed: with a proxy variable set, libcurl decides.
bool proxy_in_environment();

// Whether request, to url, needs nothing of libcurl's: an http:// URL (no TLS), no redirects
// to follow, no answer to decode, no proxy in the environment, no Expect header (libcurl's
// 100-continue handshake) and no Transfer-Encoding header (libcurl would chunk the body).
bool plain_eligible(const model::HttpRequest& request, const model::Url& url,
                    const ClientOptions& options);

// A TCP connection to addr (non-blocking, close-on-exec) within ms milliseconds (-1: no limit);
// an empty Fd, with error set (ETIMEDOUT when the time ran out), when it could not be made.
util::Fd connect_within(const addrinfo& addr, int ms, int& error);

// "host:port" of url ("[v6]:port"), as the libcurl path names it in messages.
std::string host_port(const model::Url& url);
// The libcurl path's one line for a timeout and for a refused connection.
std::string timeout_message(const ClientOptions& options);
std::string refused_message(const std::string& host_port);

// Requests over plain sockets. Like libcurl's easy handle it keeps the last connection open
// when the answer allows, for the next request to the same host:port; a kept connection that
// fails before any byte of an answer is replaced by a new one and the request sent again once.
class PlainClient {
public:
  explicit PlainClient(const ClientOptions& options) : options_(options) {}

  // Sends request (which unsafe_request passed) to url (which plain_eligible accepted).
  HttpResponse send(const model::HttpRequest& request, const model::Url& url);

private:
  using Clock = std::chrono::steady_clock;
  // How one exchange on the open connection ended: an answer, nothing at all from the server
  // (a kept connection's request may go again), or a failure (in the response).
  enum class Outcome { answered, silent, failed };

  bool connect(const model::Url& url, Clock::time_point deadline, HttpResponse& r);
  Outcome exchange(bool head, Clock::time_point deadline, HttpResponse& r);
  // Writes what the socket takes of the request now; false when the connection failed (errno).
  bool send_some(std::size_t& sent);
  // After the parser took `used` of `received` bytes (0 received: the server closed): the
  // outcome once the answer is complete or failed, nullopt while more is needed.
  std::optional<Outcome> settle(HttpResponse& r, std::size_t received, std::size_t used,
                                bool sent_all);
  void fail(HttpResponse& r, TransportError error, std::string message) const;

  ClientOptions options_;
  util::Fd conn_;
  std::string conn_key_;    // host:port of the URL the connection was opened for
  std::string conn_remote_; // ip:port it went to
  bool keep_ = false;       // the last answer lets the connection carry another request
  std::string wire_;
  ResponseParser parser_;
};

} // namespace hooktool::net::detail
