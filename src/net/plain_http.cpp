#include "net/plain_http.hpp"

#include "net/load_engine.hpp"
#include "net/server_socket.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <optional>
#include <poll.h>
#include <sys/socket.h>

namespace hooktool::net::detail {

namespace {

using Clock = std::chrono::steady_clock;

bool set_in_environment(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0';
}

// Milliseconds poll may wait before deadline (rounded up, so a wake-up is never early); 0
// once it has passed, -1 without one.
int wait_ms(Clock::time_point deadline) {
  if (deadline == Clock::time_point::max())
    return -1;
  const auto left = deadline - Clock::now();
  if (left <= Clock::duration::zero())
    return 0;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
  return static_cast<int>(std::min<std::int64_t>(ms, INT_MAX));
}

std::string address_text(const sockaddr* addr, socklen_t len) {
  sockaddr_storage storage{};
  std::memcpy(&storage, addr, std::min<std::size_t>(len, sizeof storage));
  return server::format_address(storage);
}

// Whether a kept connection can carry a request: nothing to read on it (the server closing
// it while idle, or bytes nobody asked for, end it), as libcurl checks before reusing one.
bool still_open(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

} // namespace

bool proxy_in_environment() {
  return set_in_environment("http_proxy") || set_in_environment("all_proxy") ||
         set_in_environment("ALL_PROXY");
}

bool plain_eligible(const model::HttpRequest& request, const model::Url& url,
                    const ClientOptions& options) {
  // The URL as written names the scheme (parse_target also reads "host:port" shorthands that
  // libcurl would have to guess a scheme for).
  const bool http = request.url.size() > 7 && util::iequals(request.url.substr(0, 7), "http://");
  return http && url.scheme == "http" && !options.follow_redirects && !options.decode_answer &&
         !model::find_header(request.headers, "Expect") &&
         !model::find_header(request.headers, "Transfer-Encoding") && !proxy_in_environment();
}

std::string host_port(const model::Url& url) {
  return (url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host) + ":" +
         std::to_string(url.effective_port());
}

std::string timeout_message(const ClientOptions& options) {
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%g",
                static_cast<double>(options.timeout.count()) / 1000.0);
  return "timed out after " + std::string(seconds) + " s (" + options.timeout_option + ")";
}

std::string refused_message(const std::string& host_port) {
  return "nothing is listening on " + host_port + " (connection refused)";
}

util::Fd connect_within(const addrinfo& addr, int ms, int& error) {
  util::Fd fd(::socket(addr.ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) {
    error = errno;
    return {};
  }
  if (::connect(fd.get(), addr.ai_addr, addr.ai_addrlen) == 0)
    return fd;
  if (errno != EINPROGRESS) {
    error = errno;
    return {};
  }
  pollfd p{fd.get(), POLLOUT, 0};
  int rc = 0;
  while ((rc = ::poll(&p, 1, ms)) < 0 && errno == EINTR) {
  }
  if (rc <= 0) {
    error = ETIMEDOUT;
    return {};
  }
  socklen_t len = sizeof error;
  if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0)
    return {};
  return fd;
}

void PlainClient::fail(HttpResponse& r, TransportError error, std::string message) const {
  r.error = error;
  r.error_message = std::move(message);
}

bool PlainClient::connect(const model::Url& url, Clock::time_point deadline, HttpResponse& r) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const auto port = std::to_string(url.effective_port());
  if (::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr) {
    fail(r, TransportError::resolve, "Could not resolve host: " + url.host);
    return false;
  }
  const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, &::freeaddrinfo);
  std::size_t left = 0;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next)
    ++left;
  // Each address in turn (IPv6 and IPv4 as the resolver orders them), each given an equal
  // share of the time that is left, the last one all of it.
  int error = 0;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next, --left) {
    const int total = wait_ms(deadline);
    if (total == 0)
      break;
    const int share = total < 0 ? -1 : std::max(1, total / static_cast<int>(left));
    util::Fd fd = connect_within(*a, share, error);
    if (!fd)
      continue;
    const int one = 1;
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    r.remote = address_text(a->ai_addr, a->ai_addrlen); // libcurl's too: only once connected
    conn_ = std::move(fd);
    return true;
  }
  if (wait_ms(deadline) == 0)
    fail(r, TransportError::timeout, timeout_message(options_));
  else if (error == ECONNREFUSED) {
    fail(r, TransportError::connect, refused_message(host_port(url)));
    r.refused = true;
  } else {
    fail(r, TransportError::connect,
         "Failed to connect to " + url.host + " port " + port + ": " + std::strerror(error));
  }
  return false;
}

bool PlainClient::send_some(std::size_t& sent) {
  while (sent < wire_.size()) {
    const auto n =
        ::send(conn_.get(), wire_.data() + sent, wire_.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0)
      sent += static_cast<std::size_t>(n);
    else if (errno == EAGAIN || errno == EWOULDBLOCK)
      return true;
    else if (errno != EINTR)
      return false;
  }
  return true;
}

std::optional<PlainClient::Outcome> PlainClient::settle(HttpResponse& r, std::size_t received,
                                                        std::size_t used, bool sent_all) {
  if (received > 0) {
    if (parser_.state() == ResponseParser::State::incomplete)
      return std::nullopt;
    // Bytes past the answer, unasked for, or a request not sent whole: not reusable.
    keep_ = used == received && sent_all;
  }
  if (parser_.state() == ResponseParser::State::complete) {
    keep_ = keep_ && received > 0 && parser_.keep_alive();
    return Outcome::answered;
  }
  if (parser_.state() == ResponseParser::State::failed) {
    // Closed before any byte: libcurl's "Empty reply" (a connect error); mid-answer or a
    // malformed one: libcurl's partial-file or weird-reply errors (other).
    fail(r, parser_.started() ? TransportError::other : TransportError::connect, parser_.error());
    return parser_.started() ? Outcome::failed : Outcome::silent;
  }
  return std::nullopt;
}

PlainClient::Outcome PlainClient::exchange(bool head, Clock::time_point deadline, HttpResponse& r) {
  parser_.reset();
  parser_.keep(&r.headers, &r.body, options_.max_response_body);
  parser_.no_body(head);
  const int fd = conn_.get();
  std::size_t sent = 0;
  std::array<char, 16384> buffer{};
  // A failure of the connection itself: before any byte of an answer, the request may go again
  // on a new connection when this one was kept from before.
  const auto broken = [&](const std::string& what, int err) {
    fail(r, TransportError::connect, what + " (" + std::strerror(err) + ")");
    return parser_.started() ? Outcome::failed : Outcome::silent;
  };
  for (;;) {
    if (!send_some(sent))
      return broken("the connection failed while sending the request", errno);
    const int ms = wait_ms(deadline);
    if (ms == 0) {
      fail(r, TransportError::timeout, timeout_message(options_));
      return Outcome::failed;
    }
    // Reading while the request still goes out: a server may answer (and close) early.
    pollfd p{fd, static_cast<short>(POLLIN | (sent < wire_.size() ? POLLOUT : 0)), 0};
    const int ready = ::poll(&p, 1, ms);
    if (ready < 0 && errno != EINTR)
      return broken("the connection failed", errno);
    if (ready <= 0 || (p.revents & (POLLIN | POLLHUP | POLLERR)) == 0)
      continue; // the time is checked above; EINTR, or room to send more
    const auto n = ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        continue;
      return broken(parser_.started() ? "the connection failed mid-response"
                                      : "the connection failed before an answer",
                    errno);
    }
    const auto received = static_cast<std::size_t>(n);
    std::size_t used = 0;
    if (received == 0)
      parser_.on_eof();
    else
      used = parser_.feed(std::string_view(buffer.data(), received));
    if (const auto outcome = settle(r, received, used, sent == wire_.size()))
      return *outcome;
  }
}

HttpResponse PlainClient::send(const model::HttpRequest& request, const model::Url& url) {
  const auto start = Clock::now();
  const auto deadline =
      options_.timeout.count() > 0 ? start + options_.timeout : Clock::time_point::max();
  HttpResponse r;
  serialise_request(request, wire_);
  const bool head = request.method == "HEAD";
  const auto key = host_port(url);
  auto outcome = Outcome::silent;
  if (conn_ && conn_key_ == key && still_open(conn_.get())) {
    r.remote = conn_remote_;
    outcome = exchange(head, deadline, r);
    if (outcome == Outcome::silent) { // the server had closed it: once more on a new one
      conn_.reset();
      r = HttpResponse{};
    }
  } else {
    conn_.reset();
  }
  if (!conn_ && connect(url, deadline, r)) {
    conn_key_ = key;
    conn_remote_ = r.remote;
    outcome = exchange(head, deadline, r);
  }
  r.duration_us =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
  r.duration_ms = r.duration_us / 1000;
  if (conn_)
    r.body_size = static_cast<std::size_t>(parser_.body_bytes()); // a failure's too, as libcurl's
  if (outcome != Outcome::answered) {
    conn_.reset();
    r.headers.clear(); // as the libcurl path: a failure has no headers (nor a status)
    return r;
  }
  if (!keep_)
    conn_.reset();
  r.status = parser_.status();
  return r;
}

} // namespace hooktool::net::detail
