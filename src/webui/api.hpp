#pragma once

#include "listen/session.hpp"
#include "net/listen_server.hpp"
#include "webui/store.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace hooktool::webui {

// Sends a delivery again to its forward target (listen::Session::replay).
using ReplayFn =
    std::function<listen::ReplayOutcome(const core::CaptureRecord&, listen::RemoteTarget)>;

// The inspector's HTTP surface: the page, its assets and the JSON API (README "listen --ui").
struct ApiOptions {
  std::string token;                            // required on state-changing requests
  std::chrono::milliseconds stream_hold{15000}; // how long an event stream waits for a delivery
};

// Answers one request to the UI port. Only loopback peers, only a Host naming this port
// (DNS rebinding), and POSTs only with the run's token and no foreign Origin (CSRF).
class Api {
public:
  Api(ApiOptions options, Store& store, ReplayFn replay);
  net::OutgoingResponse handle(const net::IncomingRequest& request);
  // Allowed Host header values: 127.0.0.1:PORT, localhost:PORT, [::1]:PORT.
  [[nodiscard]] bool allowed_host(std::string_view host) const;
  // The port the UI was bound to (port 0 picks one): until it is set, every Host is refused.
  void set_port(int port) noexcept { port_ = port; }

private:
  net::OutgoingResponse route(const net::IncomingRequest& request);
  net::OutgoingResponse list(const net::IncomingRequest& request) const;
  net::OutgoingResponse history(const net::IncomingRequest& request) const;
  net::OutgoingResponse detail(std::string_view id, const net::IncomingRequest& request) const;
  net::OutgoingResponse events(const net::IncomingRequest& request);
  net::OutgoingResponse capture_file() const;
  net::OutgoingResponse replay(std::string_view id, const net::IncomingRequest& request);
  [[nodiscard]] std::optional<core::CaptureRecord> lookup(std::string_view id,
                                                          std::string_view query) const;

  ApiOptions options_;
  Store& store_;
  ReplayFn replay_;
  std::atomic<int> port_{0};
};

// One delivery as a list row (JSON object): the fields the page's list and filter show.
std::string summary_json(const core::CaptureRecord& record, std::uint64_t seq,
                         std::optional<std::uint64_t> offset);
// One delivery in full: the row fields, the capture record, and its curl, HAR and capture-line
// renderings.
std::string detail_json(const core::CaptureRecord& record, std::uint64_t seq,
                        std::optional<std::uint64_t> offset);

} // namespace hooktool::webui
