#include "net/http_client.hpp"

#include "model/url.hpp"
#include "net/plain_http.hpp"
#include "net/transfer.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cerrno>
#include <mutex>
#include <netdb.h>
#include <optional>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace hooktool::net {

namespace detail {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

namespace {

TransportError classify(CURLcode code) noexcept {
  switch (code) {
  case CURLE_COULDNT_CONNECT:
  case CURLE_SEND_ERROR:
  case CURLE_RECV_ERROR:
  case CURLE_GOT_NOTHING:
    return TransportError::connect;
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
    return TransportError::resolve;
  case CURLE_OPERATION_TIMEDOUT:
    return TransportError::timeout;
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CACERT_BADFILE:
    return TransportError::tls;
  default:
    return TransportError::other;
  }
}

} // namespace

std::optional<std::string> unsafe_request(const model::HttpRequest& request) {
  // What libcurl is given goes on the wire as is: a CR or LF in a header or the method would
  // end the line early and let a capture or HAR file inject headers or a second request, and
  // a NUL would cut the value. Header names and the method must be tokens (RFC 9110 §5.1).
  const auto token = [](std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char ch) {
      const auto c = static_cast<unsigned char>(ch);
      return c > 0x20 && c < 0x7f &&
             std::string_view("\"(),/:;<=>?@[\\]{}").find(ch) == std::string_view::npos;
    });
  };
  if (!token(request.method))
    return "the method is not an HTTP token: not sent";
  for (const auto& h : request.headers) {
    if (!token(h.name))
      return "a header name is not an HTTP token: not sent";
    if (h.value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
      return "header " + h.name + " holds CR, LF or NUL: not sent";
  }
  return std::nullopt;
}

Transfer::Transfer(const ClientOptions& options) : options_(options) {
  global_init();
  curl_.reset(curl_easy_init());
  if (!curl_)
    throw failure("libcurl: cannot create a handle");
}

std::size_t Transfer::on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* self = static_cast<Transfer*>(user);
  const auto bytes = size * n;
  auto& r = self->response_;
  r.body_size += bytes;
  const auto limit = self->options_.max_response_body;
  if (r.body.size() < limit)
    r.body.append(data, std::min(bytes, limit - r.body.size()));
  return bytes;
}

std::size_t Transfer::on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* self = static_cast<Transfer*>(user);
  const auto bytes = size * n;
  const std::string_view line(data, bytes);
  // A new status line (after 100 Continue) starts a new header block.
  if (util::starts_with(line, "HTTP/")) {
    self->response_.headers.clear();
    return bytes;
  }
  if (auto h = model::parse_header_line(util::trim(line)))
    self->response_.headers.push_back(std::move(*h));
  return bytes;
}

void Transfer::prepare(const model::HttpRequest& request) {
  if (const auto reason = unsafe_request(request))
    throw failure("refusing a request: " + *reason);
  CURL* c = curl_.get();
  curl_easy_reset(c); // keeps the connection cache and session ids
  response_ = {};
  error_[0] = '\0';

  SlistPtr list;
  const auto append = [&](const std::string& line) {
    curl_slist* next = curl_slist_append(list.get(), line.c_str());
    if (!next)
      throw failure("libcurl: out of memory building headers");
    (void)list.release();
    list.reset(next);
  };
  for (const auto& h : request.headers)
    append(h.value.empty() ? h.name + ";" : h.name + ": " + h.value); // "Name;": empty value
  // Suppress headers curl would add on its own, unless the request carries them.
  if (!model::find_header(request.headers, "Expect"))
    append("Expect:");
  if (!model::find_header(request.headers, "Accept"))
    append("Accept:");
  if (!model::find_header(request.headers, "Content-Type"))
    append("Content-Type:"); // curl would add its form default to a POST body
  if (options_.decode_answer && !model::find_header(request.headers, "Accept-Encoding"))
    append("Accept-Encoding:"); // decoding on (below) must not add a header of curl's own
  headers_ = std::move(list);

  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  // The path goes out as given ("/a/../b" is not squashed): replay and forwarding promise the
  // captured target byte for byte.
  curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers_.get());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_.data());
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Transfer::on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &Transfer::on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, this);
  if (options_.follow_redirects) {
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    // Re-send the same method and body after 301/302/303 too: a webhook is a POST.
    curl_easy_setopt(c, CURLOPT_POSTREDIR, static_cast<long>(CURL_REDIR_POST_ALL));
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  }
  if (options_.decode_answer) // every encoding libcurl decodes; the header sent is the request's
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
  if (options_.tls == ClientOptions::Tls::insecure) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (request.method == "GET" && request.body.empty()) {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    if (request.method != "POST")
      curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  start_ = std::chrono::steady_clock::now();
  host_port_.clear();
  try {
    host_port_ = host_port(model::parse_target(request.url));
  } catch (const Error&) {
    // libcurl will say what is wrong with it
  }
}

namespace {

bool certificate_problem(CURLcode code) noexcept {
  return code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE ||
         code == CURLE_SSL_CERTPROBLEM;
}

} // namespace

std::string Transfer::explain(CURLcode code, bool refused) const {
  const std::string curl_text = error_[0] != '\0' ? error_.data() : curl_easy_strerror(code);
  if (refused && !host_port_.empty())
    return refused_message(host_port_);
  if (code == CURLE_OPERATION_TIMEDOUT)
    return timeout_message(options_);
  if (certificate_problem(code) && options_.tls == ClientOptions::Tls::verify)
    return curl_text + " (a self-signed certificate? --insecure skips the check)";
  return curl_text;
}

HttpResponse Transfer::finish(CURLcode code) {
  CURL* c = curl_.get();
  auto r = std::move(response_);
  response_ = {};
  r.duration_us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - start_)
                      .count();
  r.duration_ms = r.duration_us / 1000;
  char* ip = nullptr;
  long port = 0;
  if (curl_easy_getinfo(c, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip && *ip &&
      curl_easy_getinfo(c, CURLINFO_PRIMARY_PORT, &port) == CURLE_OK) {
    const std::string addr(ip);
    r.remote = (addr.find(':') != std::string::npos ? "[" + addr + "]" : addr) + ":" +
               std::to_string(port);
  }
  if (code != CURLE_OK) {
    r.error = classify(code);
    long os_errno = 0;
    r.refused = code == CURLE_COULDNT_CONNECT &&
                curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno) == CURLE_OK &&
                os_errno == ECONNREFUSED;
    r.error_message = explain(code, r.refused);
    r.headers.clear();
    return r;
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  r.status = static_cast<int>(status);
  return r;
}

} // namespace detail

std::string_view to_string(TransportError e) noexcept {
  switch (e) {
  case TransportError::none:
    return "";
  case TransportError::connect:
    return "connect";
  case TransportError::resolve:
    return "resolve";
  case TransportError::timeout:
    return "timeout";
  case TransportError::tls:
    return "tls";
  case TransportError::other:
    return "other";
  }
  return "other";
}

std::string_view failure_kind(const HttpResponse& r) noexcept {
  if (r.error == TransportError::connect && r.refused)
    return "refused";
  if (r.error == TransportError::resolve)
    return "dns";
  return to_string(r.error);
}

// libcurl's easy handle is made (and libcurl loaded) for the first request that needs it:
// https, --location, an answer to decode, a proxy, Expect, Transfer-Encoding. The others go
// over a plain socket (net/plain_http).
struct HttpClient::Impl {
  explicit Impl(const ClientOptions& o) : options(o), plain(o) {}
  detail::Transfer& transfer() {
    if (!curl)
      curl.emplace(options);
    return *curl;
  }
  ClientOptions options;
  detail::PlainClient plain;
  std::optional<detail::Transfer> curl;
};

HttpClient::HttpClient(ClientOptions options) : impl_(std::make_unique<Impl>(options)) {}
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;
HttpClient::~HttpClient() = default;

HttpResponse HttpClient::send(const model::HttpRequest& request) {
  if (auto reason = detail::unsafe_request(request)) {
    HttpResponse r;
    r.error = TransportError::other;
    r.error_message = std::move(*reason);
    return r;
  }
  std::optional<model::Url> url;
  try {
    url = model::parse_target(request.url);
  } catch (const Error&) {
    // libcurl says what is wrong with it
  }
  if (url && detail::plain_eligible(request, *url, impl_->options))
    return impl_->plain.send(request, *url);
  auto& transfer = impl_->transfer();
  transfer.prepare(request);
  return transfer.finish(curl_easy_perform(transfer.handle()));
}

namespace {

// One non-blocking connect to `addr`, bounded by `budget`; true when it completed.
bool connects(const addrinfo& addr, std::chrono::milliseconds budget) {
  int error = 0;
  return static_cast<bool>(detail::connect_within(
      addr, static_cast<int>(std::max<long long>(1, budget.count())), error));
}

} // namespace

bool wait_until_accepting(const std::string& host, int port, std::chrono::milliseconds limit) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + limit;
  auto pause = std::chrono::milliseconds(10);
  const std::string service = std::to_string(port);
  for (;;) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), service.c_str(), &hints, &found) == 0) {
      const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, &::freeaddrinfo);
      for (const addrinfo* a = list.get(); a != nullptr; a = a->ai_next) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
        if (connects(*a, std::min(left, std::chrono::milliseconds(1000))))
          return true;
      }
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() <= 0)
      return false;
    std::this_thread::sleep_for(std::min(pause, left));
    pause = std::min(pause * 2, std::chrono::milliseconds(250));
  }
}

} // namespace hooktool::net
