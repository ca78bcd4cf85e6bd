#pragma once
// A loopback HTTP server for end-to-end tests: records every request exactly as it
// arrived (method, path, raw query, headers, body bytes) and answers with a
// configurable sequence of status codes. Runs httplib::Server in its own thread.

#include "reference_crypto.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <httplib.h>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace e2e {

using NameValue = std::pair<std::string, std::string>;

inline bool iequals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// The receiver decodes query strings with the independent reference decoder.
using ref::form_decode;
using ref::parse_form;

// Binds `srv` to a free loopback port, runs its accept loop on `thread` and returns the
// port once the loop runs. `what` names the server in errors.
inline int serve_on_loopback(httplib::Server& srv, std::thread& thread, const std::string& what) {
  const int port = srv.bind_to_any_port("127.0.0.1");
  if (port <= 0)
    throw std::runtime_error(what + ": cannot bind a loopback port");
  thread = std::thread([&srv] { srv.listen_after_bind(); });
  // The socket is already listening (connections queue in its backlog), but stop() only
  // takes effect once the accept loop runs: wait until it does, bounded.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!srv.is_running()) {
    if (std::chrono::steady_clock::now() > deadline) {
      thread.detach();
      throw std::runtime_error(what + ": server thread did not start");
    }
    std::this_thread::yield();
  }
  return port;
}

struct ReceivedRequest {
  std::string method;
  std::string path;                    // decoded path, without the query
  std::string target;                  // request target as sent: path?query
  std::string query;                   // raw query text after '?', empty if none
  std::vector<NameValue> query_params; // decoded query parameters, in order
  std::vector<NameValue> headers;      // as httplib exposes them (names as received)
  std::string body;                    // exact body bytes

  // First value of a header (case-insensitive name).
  [[nodiscard]] std::optional<std::string> header(const std::string& name) const {
    for (const auto& [k, v] : headers)
      if (iequals(k, name))
        return v;
    return std::nullopt;
  }
  [[nodiscard]] std::size_t header_count(const std::string& name) const {
    return static_cast<std::size_t>(
        std::count_if(headers.begin(), headers.end(),
                      [&](const NameValue& h) { return iequals(h.first, name); }));
  }
  [[nodiscard]] std::optional<std::string> query_param(const std::string& name) const {
    for (const auto& [k, v] : query_params)
      if (k == name)
        return v;
    return std::nullopt;
  }
};

class Receiver {
public:
  // statuses: the answer to request 1, 2, …; the last one repeats.
  explicit Receiver(std::vector<int> statuses = {200}) : statuses_(std::move(statuses)) {
    if (statuses_.empty())
      statuses_.push_back(200);
    srv_.set_keep_alive_timeout(1);
    srv_.set_read_timeout(5, 0);
    srv_.set_write_timeout(5, 0);
    const auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      handle(req, res);
    };
    srv_.Get(".*", handler);
    srv_.Post(".*", handler);
    srv_.Put(".*", handler);
    srv_.Patch(".*", handler);
    srv_.Delete(".*", handler);
    srv_.Options(".*", handler);

    port_ = serve_on_loopback(srv_, thread_, "receiver");
  }

  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  ~Receiver() {
    release();
    srv_.stop();
    if (thread_.joinable())
      thread_.join();
  }

  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] std::string url(const std::string& path = "/hook") const { return base() + path; }

  void set_statuses(std::vector<int> statuses) {
    std::lock_guard<std::mutex> lock(mu_);
    statuses_ = std::move(statuses);
    if (statuses_.empty())
      statuses_.push_back(200);
    served_ = 0;
  }

  // Requests to `path` are held (after being recorded) until release() or max_hold.
  void hold_path(const std::string& path, std::chrono::milliseconds max_hold) {
    std::lock_guard<std::mutex> lock(mu_);
    held_path_ = path;
    max_hold_ = max_hold;
    released_ = false;
  }

  void release() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      released_ = true;
    }
    cv_.notify_all();
  }

  [[nodiscard]] std::vector<ReceivedRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  [[nodiscard]] std::size_t count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_.size();
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.clear();
    served_ = 0;
  }

  // Waits until at least n requests were recorded (true) or the timeout passed (false).
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
  }

private:
  void handle(const httplib::Request& req, httplib::Response& res) {
    ReceivedRequest r;
    r.method = req.method;
    r.path = req.path;
    r.target = req.target;
    if (const auto q = req.target.find('?'); q != std::string::npos) {
      r.query = req.target.substr(q + 1);
      r.query_params = parse_form(r.query);
    }
    for (const auto& [k, v] : req.headers)
      r.headers.emplace_back(k, v);
    r.body = req.body;

    int status = 200;
    bool hold = false;
    std::chrono::milliseconds max_hold{0};
    {
      std::lock_guard<std::mutex> lock(mu_);
      status = statuses_[std::min(served_, statuses_.size() - 1)];
      ++served_;
      hold = !held_path_.empty() && r.path == held_path_;
      max_hold = max_hold_;
      requests_.push_back(std::move(r));
    }
    cv_.notify_all();
    if (hold) {
      // The server under test is slow: answer only when released (teardown) or after max_hold.
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, max_hold, [&] { return released_; });
    }
    res.status = status;
    res.set_content(status / 100 == 2 ? "ok\n" : "receiver says " + std::to_string(status) + "\n",
                    "text/plain");
  }

  httplib::Server srv_;
  std::thread thread_;
  int port_ = 0;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<int> statuses_;
  std::size_t served_ = 0;
  std::vector<ReceivedRequest> requests_;
  std::string held_path_;
  std::chrono::milliseconds max_hold_{0};
  bool released_ = false;
};

} // namespace e2e
