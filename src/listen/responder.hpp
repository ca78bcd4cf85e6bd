#pragma once

#include "core/capture.hpp"
#include "net/http_client.hpp"
#include "net/listen_server.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace hooktool::listen {

// One --forward-to: where deliveries go, optionally only a provider's events matching a glob.
struct Route {
  std::string provider;   // empty: any provider
  std::string event_glob; // empty: any event
  std::string url;        // absolute
  [[nodiscard]] bool matches(const core::CaptureRecord& record) const;
};

// Parses "URL" or "provider[:event-glob]=URL"; usage error when malformed.
Route parse_route(std::string_view text);
// Parses a display filter (--events): "provider", "provider:event-glob" or an event glob
// ("invoice.*", Bitbucket's "repo:*": the part before ':' is not a provider). The route's url
// stays empty.
Route parse_event_filter(std::string_view text);

// The part of the simulated answer that can change while listen runs (the web inspector):
// --status, --delay, --fail-rate, --fail-status.
struct Answer {
  int status = 200;
  std::int64_t delay_ms = 0;
  double fail_rate = 0;
  int fail_status = 500;
  // Why these values cannot be the answer (the same limits as the options), or empty.
  [[nodiscard]] std::string problem() const;
  bool operator==(const Answer&) const = default;
};

// The answer shared between the responder (read on the listener's worker threads, once per
// delivery) and whoever changes it (the inspector's API thread).
class LiveAnswer {
public:
  explicit LiveAnswer(Answer answer) : answer_(answer), delays_(answer.delay_ms != 0) {}
  [[nodiscard]] Answer get() const {
    const std::lock_guard lock(mutex_);
    return answer_;
  }
  // Replaces the answer for the next delivery; the reason when it is refused (nothing changed).
  std::string set(const Answer& answer) {
    if (auto why = answer.problem(); !why.empty())
      return why;
    const std::lock_guard lock(mutex_);
    answer_ = answer;
    delays_.store(answer.delay_ms != 0, std::memory_order_relaxed);
    return {};
  }
  // Whether the answer waits before it is given (asked for every delivery, without the lock).
  [[nodiscard]] bool delays() const noexcept { return delays_.load(std::memory_order_relaxed); }

private:
  mutable std::mutex mutex_;
  Answer answer_;
  std::atomic<bool> delays_;
};

// The answer listen gives when it does not forward (or as set by --status and friends).
struct Simulation {
  int status = 200;
  std::int64_t delay_ms = 0;
  double fail_rate = 0;              // probability of answering fail_status instead
  int fail_status = 500;             // the simulated failure's status
  std::optional<std::uint64_t> seed; // repeatable failures
  std::string body;
  std::string content_type = "text/plain; charset=utf-8";
  model::Headers headers; // --response-header; a Content-Type here replaces content_type
  // When set, status, delay_ms, fail_rate and fail_status are read from here for each delivery
  // (the web inspector changes them while listen runs); the fields above are the start value.
  std::shared_ptr<LiveAnswer> live;
  [[nodiscard]] Answer answer() const { return {status, delay_ms, fail_rate, fail_status}; }
};

// What a forwarded delivery's Host header is: the sender's (the exact headers), or the one
// libcurl derives from the --forward-to URL (--host-header rewrite).
enum class HostHeader { keep, rewrite };

// The largest handler response relayed; a larger one is answered 502, never cut short.
inline constexpr std::size_t kMaxForwardedResponse = 64u << 20;

// Decides each answer: forward to the first matching route, else simulate.
class Responder {
public:
  Responder(std::vector<Route> routes, Simulation simulation,
            std::chrono::milliseconds forward_timeout, HostHeader host_header = HostHeader::keep);
  // --forward-header: headers set on every forwarded request (replacing the delivery's own of
  // the same name); the capture keeps the delivery as it arrived.
  void set_forward_headers(model::Headers headers) { forward_headers_ = std::move(headers); }
  // The response for a delivery; fills record.forward when it was forwarded.
  net::OutgoingResponse respond(core::CaptureRecord& record);
  // The first route matching the delivery, or nullptr.
  [[nodiscard]] const Route* route_for(const core::CaptureRecord& record) const;
  // Forwards the delivery again, with no delay or simulated failure; empty when no route
  // matches. The handler's answer (or why there was none).
  std::optional<core::ForwardInfo> replay(const core::CaptureRecord& record);
  // Sends the delivery to url as a forward would (a URL without a path takes the delivery's
  // path and query); the handler's answer, or why there was none.
  core::ForwardInfo send_to(const core::CaptureRecord& record, const std::string& url);
  // True when respond() cannot wait: nothing is forwarded and the answer has no delay (read
  // again for each delivery, since the inspector may set a delay while listen runs).
  [[nodiscard]] bool never_waits() const noexcept { return routes_.empty() && !live_->delays(); }
  // The simulated answer, shared: changes apply from the next delivery on.
  [[nodiscard]] const std::shared_ptr<LiveAnswer>& live_answer() const noexcept { return live_; }

private:
  net::OutgoingResponse forward(const Route& route, core::CaptureRecord& record);
  bool roll_failure(double fail_rate);

  std::vector<Route> routes_;
  Simulation sim_;
  std::shared_ptr<LiveAnswer> live_;
  std::chrono::milliseconds forward_timeout_;
  HostHeader host_header_;
  model::Headers forward_headers_;
  std::mutex rng_mutex_;
  std::mt19937_64 rng_;
};

} // namespace hooktool::listen
