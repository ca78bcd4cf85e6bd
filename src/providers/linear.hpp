#pragma once

#include "providers/provider.hpp"

#include <optional>
#include <string_view>
#include <utility>

namespace hooktool::providers {

// Linear: Linear-Signature = hex HMAC-SHA256 of the body; the signed timestamp is the body's
// top-level webhookTimestamp (Unix ms, a JSON number), within 60 s either way. @linear/sdk
// ignores the Linear-Timestamp header, so signing rewrites the body field.
class LinearProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "linear"; }
  [[nodiscard]] std::string_view description() const override {
    return "Linear: Linear-Signature <hex HMAC-SHA256 of the body>, body field webhookTimestamp";
  }
  [[nodiscard]] std::string_view default_event() const override { return "Issue.create"; }
  // Linear counts a delivery as failed when no answer comes within 5 seconds.
  [[nodiscard]] std::int64_t delivery_timeout_s() const override { return 5; }
  [[nodiscard]] std::string_view signature_header() const override { return "Linear-Signature"; }
  [[nodiscard]] Window window() const override { return Window::past_and_future; }
  [[nodiscard]] std::int64_t default_tolerance() const override { return 60; }
  [[nodiscard]] std::string generate_secret() const override;
  [[nodiscard]] model::Headers envelope(const EnvelopeInput& in) const override;
  // Sets webhookTimestamp to the params' time (added when the object lacks it), then signs.
  model::Headers sign(model::HttpRequest& req, const SignParams& params) const override;
  [[nodiscard]] Verdict verify(const model::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] EventInfo event_info(const model::HttpRequest& req) const override;
  [[nodiscard]] bool detect(const model::Headers& headers) const override;
  bool set_unknown_event(model::HttpRequest& req) const override;
  // The body's webhookTimestamp, in seconds (replay's staleness warning).
  [[nodiscard]] std::optional<std::int64_t>
  signed_time(const model::HttpRequest& req) const override;
  // A usage error: the timestamp is in the body, which this hook cannot reach.
  void tamper_timestamp(model::Headers& headers) const override;
  // Sets the body's webhookTimestamp past the window (default tolerance + 300 s old) without
  // re-signing: stale, and no longer what the signature covers.
  std::string tamper_delivery_timestamp(model::HttpRequest& req) const override;
};

// Where the value of the top-level member webhookTimestamp lies in a JSON object body:
// offset and length; nullopt when the body has none at the top level.
std::optional<std::pair<std::size_t, std::size_t>>
linear_timestamp_span(std::string_view body) noexcept;

} // namespace hooktool::providers
