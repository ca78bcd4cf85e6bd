#include "net/http_client.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"

#include <array>
#include <chrono>
#include <curl/curl.h>
#include <mutex>

namespace hooktool::net {

namespace {

struct CurlDeleter {
  void operator()(CURL* p) const noexcept { curl_easy_cleanup(p); }
};
struct SlistDeleter {
  void operator()(curl_slist* p) const noexcept { curl_slist_free_all(p); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Sink {
  HttpResponse* response;
  std::size_t limit;
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const auto bytes = size * n;
  auto& r = *sink->response;
  r.body_size += bytes;
  if (r.body.size() < sink->limit)
    r.body.append(data, std::min(bytes, sink->limit - r.body.size()));
  return bytes;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const auto bytes = size * n;
  std::string_view line(data, bytes);
  // A new status line (after a redirect or 100 Continue) starts a new header block.
  if (util::starts_with(line, "HTTP/")) {
    sink->response->headers.clear();
    return bytes;
  }
  if (auto h = core::parse_header_line(util::trim(line)))
    sink->response->headers.push_back(std::move(*h));
  return bytes;
}

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

struct HttpClient::Impl {
  ClientOptions options;
  CurlPtr curl;
  std::array<char, CURL_ERROR_SIZE> error{};
};

HttpClient::HttpClient(ClientOptions options) : impl_(std::make_unique<Impl>()) {
  global_init();
  impl_->options = options;
  impl_->curl.reset(curl_easy_init());
  if (!impl_->curl)
    throw failure("libcurl: cannot create a handle");
}

HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;
HttpClient::~HttpClient() = default;

HttpResponse HttpClient::send(const core::HttpRequest& request) {
  CURL* c = impl_->curl.get();
  curl_easy_reset(c);
  HttpResponse response;
  Sink sink{&response, impl_->options.max_response_body};

  SlistPtr list;
  const auto append = [&](const std::string& line) {
    curl_slist* next = curl_slist_append(list.get(), line.c_str());
    if (!next)
      throw failure("libcurl: out of memory building headers");
    (void)list.release();
    list.reset(next);
  };
  for (const auto& h : request.headers) {
    // "Name;" is curl's way to send a header with an empty value.
    append(h.value.empty() ? h.name + ";" : h.name + ": " + h.value);
  }
  // Suppress headers curl would add on its own, unless the request carries them.
  if (!core::find_header(request.headers, "Expect"))
    append("Expect:");
  if (!core::find_header(request.headers, "Accept"))
    append("Accept:");
  if (!core::find_header(request.headers, "Content-Type"))
    append("Content-Type:"); // curl would add its form default to a POST body

  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list.get());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, impl_->error.data());
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(impl_->options.timeout.count()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &sink);
  if (impl_->options.tls == ClientOptions::Tls::insecure) {
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
  impl_->error[0] = '\0';

  const auto start = std::chrono::steady_clock::now();
  const CURLcode rc = curl_easy_perform(c);
  response.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - start)
                             .count();
  char* ip = nullptr;
  long port = 0;
  if (curl_easy_getinfo(c, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip && *ip &&
      curl_easy_getinfo(c, CURLINFO_PRIMARY_PORT, &port) == CURLE_OK) {
    const std::string addr(ip);
    response.remote = (addr.find(':') != std::string::npos ? "[" + addr + "]" : addr) + ":" +
                      std::to_string(port);
  }
  if (rc != CURLE_OK) {
    response.error = classify(rc);
    response.error_message = impl_->error[0] != '\0' ? impl_->error.data() : curl_easy_strerror(rc);
    response.headers.clear();
    return response;
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

} // namespace hooktool::net
