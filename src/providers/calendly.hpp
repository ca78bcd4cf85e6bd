#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// Calendly: Calendly-Webhook-Signature "t=<ts>,v1=<hex>" over "<ts>.<body>", HMAC-SHA256 with
// the webhook signing key, window 180 s past (the documented example's three minutes).
class CalendlyProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "calendly"; }
  [[nodiscard]] std::string_view description() const override {
    return "Calendly: Calendly-Webhook-Signature t=<ts>,v1=<hex HMAC-SHA256 of \"<ts>.<body>\">";
  }
  [[nodiscard]] std::string_view default_event() const override { return "invitee.created"; }
  [[nodiscard]] std::string_view signature_header() const override {
    return "Calendly-Webhook-Signature";
  }
  [[nodiscard]] Window window() const override { return Window::past; }
  [[nodiscard]] std::int64_t default_tolerance() const override { return 180; }
  [[nodiscard]] std::string generate_secret() const override;
  [[nodiscard]] model::Headers envelope(const EnvelopeInput& in) const override;
  model::Headers sign(model::HttpRequest& req, const SignParams& params) const override;
  [[nodiscard]] Verdict verify(const model::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] std::optional<std::int64_t>
  signed_timestamp(const model::Headers& headers) const override;
  [[nodiscard]] EventInfo event_info(const model::HttpRequest& req) const override;
  bool set_unknown_event(model::HttpRequest& req) const override;
  void tamper_signature(model::Headers& headers) const override;
  void tamper_timestamp(model::Headers& headers) const override;
};

} // namespace hooktool::providers
