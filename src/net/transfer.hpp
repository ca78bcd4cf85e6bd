#pragma once

#include "net/http_client.hpp"

#include <array>
#include <chrono>
#include <curl/curl.h>
#include <memory>
#include <optional>
#include <string>

// One request on one libcurl easy handle; shared by HttpClient (easy interface) and the load
// engine (multi interface). Internal to src/net.
namespace hooktool::net::detail {

struct CurlDeleter {
  void operator()(CURL* p) const noexcept { curl_easy_cleanup(p); }
};
struct SlistDeleter {
  void operator()(curl_slist* p) const noexcept { curl_slist_free_all(p); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

// Why a request cannot go on the wire as is (CR/LF/NUL in a header, a method or header name
// that is not a token); nullopt when it can.
std::optional<std::string> unsafe_request(const model::HttpRequest& request);

// Initialises libcurl once per process, on first use (not at start-up).
void global_init();

// A reusable transfer: the handle keeps its connection between requests.
class Transfer {
public:
  explicit Transfer(const ClientOptions& options);
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  // Sets the handle up for request; the request must outlive the transfer's completion.
  void prepare(const model::HttpRequest& request);
  // Fills the response once libcurl reports the transfer done with code.
  HttpResponse finish(CURLcode code);
  [[nodiscard]] CURL* handle() const noexcept { return curl_.get(); }

private:
  static std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user);
  static std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user);
  // The user's one line for a failed transfer: host:port when refused, the limit and the
  // option that sets it on a timeout, --insecure on a certificate problem.
  [[nodiscard]] std::string explain(CURLcode code, bool refused) const;

  ClientOptions options_;
  CurlPtr curl_;
  SlistPtr headers_;
  HttpResponse response_;
  std::array<char, CURL_ERROR_SIZE> error_{};
  std::chrono::steady_clock::time_point start_;
  std::string host_port_; // of the request in flight, for error messages
};

} // namespace hooktool::net::detail
