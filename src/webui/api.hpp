#pragma once

#include "listen/responder.hpp"
#include "listen/session.hpp"
#include "net/listen_server.hpp"
#include "providers/provider.hpp"
#include "webui/store.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace hooktool::webui {

// Sends a delivery again to its forward target (listen::Session::replay).
using ReplayFn =
    std::function<listen::ReplayOutcome(const core::CaptureRecord&, listen::RemoteTarget)>;

// A secret to sign with, or why there is none.
struct SigningSecret {
  std::shared_ptr<const providers::Provider> provider; // as listen verifies it
  std::string secret;
  std::string error; // non-empty: cannot sign
};

// What the inspector can do with listen's state (wired by the listen command). Every member
// is optional: a missing one answers its endpoint 409.
struct Actions {
  ReplayFn replay; // to the forward target
  // Sends a delivery to a URL (checked and confirmed by the API before).
  std::function<core::ForwardInfo(const core::CaptureRecord&, const std::string& url)> send_to;
  // The forward target's URL for a delivery, empty when no route matches (the page's default).
  std::function<std::string(const core::CaptureRecord&)> forward_target;
  // The secret listen holds for a provider, for "re-sign with the current secret"; it never
  // leaves the process.
  std::function<SigningSecret(const std::string& provider_id)> signing_secret;
  // listen's simulated answer, changeable while it runs.
  std::shared_ptr<listen::LiveAnswer> answer;
};

// The inspector's HTTP surface: the page, its assets and the JSON API (README "listen --ui").
struct ApiOptions {
  std::string token;                            // required on state-changing requests
  std::chrono::milliseconds stream_hold{15000}; // how long an event stream waits for a delivery
};

// Answers one request to the UI port. Only loopback peers, only a Host naming this port
// (DNS rebinding), and POSTs only with the run's token and no foreign Origin (CSRF).
class Api {
public:
  Api(ApiOptions options, Store& store, Actions actions);
  Api(ApiOptions options, Store& store, ReplayFn replay);
  net::OutgoingResponse handle(const net::IncomingRequest& request);
  // Allowed Host header values: 127.0.0.1:PORT, localhost:PORT, [::1]:PORT.
  [[nodiscard]] bool allowed_host(std::string_view host) const;
  // The port the UI was bound to (port 0 picks one): until it is set, every Host is refused.
  void set_port(int port) noexcept { port_ = port; }

private:
  net::OutgoingResponse route(const net::IncomingRequest& request);
  // The page: index.html with the run's token, the first page of deliveries for its URL's
  // filter as JSON data, app.css and app.js inline, and a policy naming their hashes.
  net::OutgoingResponse index_page(const net::IncomingRequest& request) const;
  // {"list": what GET /api/deliveries?limit=100 answers for this filter}.
  [[nodiscard]] nlohmann::json first_page(std::string_view query) const;
  net::OutgoingResponse list(const net::IncomingRequest& request) const;
  net::OutgoingResponse history(const net::IncomingRequest& request) const;
  net::OutgoingResponse detail(std::string_view id, const net::IncomingRequest& request) const;
  net::OutgoingResponse events(const net::IncomingRequest& request);
  net::OutgoingResponse capture_file() const;
  net::OutgoingResponse replay(std::string_view id, const net::IncomingRequest& request);
  net::OutgoingResponse compare(const net::IncomingRequest& request) const;
  net::OutgoingResponse simulation() const;
  net::OutgoingResponse change_simulation(const net::IncomingRequest& request);
  // The forward target for a delivery (empty: none) and the JSON for the replay's answer.
  [[nodiscard]] std::string target_of(const core::CaptureRecord& record) const;
  [[nodiscard]] std::optional<core::CaptureRecord> lookup(std::string_view id,
                                                          std::string_view query) const;
  [[nodiscard]] std::optional<core::CaptureRecord> lookup_at(std::string_view id,
                                                             const std::string& at) const;

  ApiOptions options_;
  Store& store_;
  Actions actions_;
  std::atomic<int> port_{0};
};

// JSON text made safe inside an HTML <script type="application/json"> block: every '<' (so no
// "</script>" or "<!--" ends or changes the block) and U+2028/U+2029 written as \u escapes,
// which JSON.parse reads back as the same characters.
std::string script_data(std::string_view json_text);

// One delivery as a list row (JSON object): the fields the page's list and filter show.
std::string summary_json(const core::CaptureRecord& record, std::uint64_t seq,
                         std::optional<std::uint64_t> offset);
// One delivery in full: the row fields, the capture record, and its curl, HAR and capture-line
// renderings.
std::string detail_json(const core::CaptureRecord& record, std::uint64_t seq,
                        std::optional<std::uint64_t> offset);

} // namespace hooktool::webui
