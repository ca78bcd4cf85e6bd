#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// Sentry (integration platform): Sentry-Hook-Signature = hex HMAC-SHA256 of the body with the
// integration's client secret. Sentry-Hook-Timestamp is sent but not signed, so there is no
// replay window; the event type is Sentry-Hook-Resource + "." + the body's action.
class SentryProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "sentry"; }
  [[nodiscard]] std::string_view description() const override {
    return "Sentry: Sentry-Hook-Signature <hex HMAC-SHA256 of the body> (timestamp not signed)";
  }
  [[nodiscard]] std::string_view default_event() const override { return "issue.created"; }
  [[nodiscard]] std::int64_t delivery_timeout_s() const override { return 1; }
  bool set_unknown_event(model::HttpRequest& req) const override;

  [[nodiscard]] std::string_view signature_header() const override {
    return "Sentry-Hook-Signature";
  }
  [[nodiscard]] model::Headers envelope(const EnvelopeInput& in) const override;
  model::Headers sign(model::HttpRequest& req, const SignParams& params) const override;
  [[nodiscard]] Verdict verify(const model::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] EventInfo event_info(const model::HttpRequest& req) const override;
  [[nodiscard]] bool detect(const model::Headers& headers) const override;
};

} // namespace hooktool::providers
