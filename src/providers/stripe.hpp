#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// Stripe: Stripe-Signature "t=<ts>,v1=<hex>" over "<ts>.<body>", key = the whole whsec_ string.
class StripeProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "stripe"; }
  [[nodiscard]] std::string_view description() const override {
    return "Stripe: Stripe-Signature t=<ts>,v1=<hex HMAC-SHA256 of \"<ts>.<body>\">";
  }
  [[nodiscard]] std::string_view default_event() const override { return "invoice.paid"; }
  // Stripe publishes no figure; 20 s is what it is seen to use.
  [[nodiscard]] std::int64_t delivery_timeout_s() const override { return 20; }

  [[nodiscard]] std::string_view signature_header() const override { return "Stripe-Signature"; }
  [[nodiscard]] Window window() const override { return Window::past; }
  [[nodiscard]] std::int64_t default_tolerance() const override { return 300; }
  [[nodiscard]] bool pretty_json() const override { return true; }
  [[nodiscard]] std::string generate_secret() const override;
  // The default forms, and the whsec_ prefix dropped or added (Stripe keys with all of it).
  [[nodiscard]] std::vector<SecretVariant> secret_variants(std::string_view secret) const override;
  [[nodiscard]] model::Headers envelope(const EnvelopeInput& in) const override;
  model::Headers sign(model::HttpRequest& req, const SignParams& params) const override;
  [[nodiscard]] Verdict verify(const model::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] std::optional<std::int64_t>
  signed_timestamp(const model::Headers& headers) const override;
  [[nodiscard]] EventInfo event_info(const model::HttpRequest& req) const override;
  void tamper_signature(model::Headers& headers) const override;
  void tamper_timestamp(model::Headers& headers) const override;
};

} // namespace hooktool::providers
