#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// Stripe: Stripe-Signature "t=<ts>,v1=<hex>" over "<ts>.<body>", key = the whole whsec_ string.
class StripeProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "stripe"; }
  [[nodiscard]] std::string_view signature_header() const override { return "Stripe-Signature"; }
  [[nodiscard]] Window window() const override { return Window::past; }
  [[nodiscard]] std::int64_t default_tolerance() const override { return 300; }
  [[nodiscard]] bool pretty_json() const override { return true; }
  [[nodiscard]] std::string generate_secret() const override;
  [[nodiscard]] core::Headers envelope(const EnvelopeInput& in) const override;
  core::Headers sign(core::HttpRequest& req, const SignParams& params) const override;
  [[nodiscard]] Verdict verify(const core::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] std::optional<std::int64_t>
  signed_timestamp(const core::Headers& headers) const override;
  [[nodiscard]] EventInfo event_info(const core::HttpRequest& req) const override;
  void tamper_signature(core::Headers& headers) const override;
  void tamper_timestamp(core::Headers& headers) const override;
};

} // namespace hooktool::providers
