#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// Twitch EventSub: Twitch-Eventsub-Message-Signature "sha256=<hex>" over message id + timestamp
// (RFC 3339 with nanoseconds, signed as sent) + body; 10 minutes into the past. The
// webhook_callback_verification handshake is answered with the challenge as text/plain.
class TwitchProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "twitch"; }
  [[nodiscard]] std::string_view description() const override {
    return "Twitch EventSub: Twitch-Eventsub-Message-Signature sha256=<hex HMAC-SHA256 of id + "
           "timestamp + body>";
  }
  [[nodiscard]] std::string_view default_event() const override { return "channel.follow"; }
  [[nodiscard]] std::string_view signature_header() const override {
    return "Twitch-Eventsub-Message-Signature";
  }
  [[nodiscard]] Window window() const override { return Window::past; }
  [[nodiscard]] std::int64_t default_tolerance() const override { return 600; }
  // Twitch refuses secrets outside 10 to 100 ASCII characters when a subscription is created.
  void validate_secret(std::string_view secret) const override;
  bool set_unknown_event(model::HttpRequest& req) const override;
  [[nodiscard]] model::Headers envelope(const EnvelopeInput& in) const override;
  // A timestamp of 0 keeps the Message-Timestamp header the delivery already carries.
  model::Headers sign(model::HttpRequest& req, const SignParams& params) const override;
  [[nodiscard]] Verdict verify(const model::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] std::optional<std::int64_t>
  signed_timestamp(const model::Headers& headers) const override;
  [[nodiscard]] EventInfo event_info(const model::HttpRequest& req) const override;
  [[nodiscard]] bool detect(const model::Headers& headers) const override;
  void tamper_timestamp(model::Headers& headers) const override;
  void mark_retry(model::Headers& headers, int attempt) const override;
  [[nodiscard]] std::string_view handshake_event() const override {
    return "webhook_callback_verification";
  }
  [[nodiscard]] std::optional<HandshakeAnswer>
  handshake_answer(const model::HttpRequest& req, std::string_view secret) const override;
};

// "2025-11-25T10:08:46.123000000Z": RFC 3339 UTC with nanoseconds, as Twitch writes it.
std::string twitch_timestamp(std::int64_t epoch_ms);

} // namespace hooktool::providers
