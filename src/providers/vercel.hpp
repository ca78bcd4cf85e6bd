#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// Vercel: x-vercel-signature = hex HMAC-SHA1 of the body; event type and id in the body.
class VercelProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "vercel"; }
  [[nodiscard]] std::string_view description() const override {
    return "Vercel: x-vercel-signature <hex HMAC-SHA1 of the body>";
  }
  [[nodiscard]] std::string_view default_event() const override { return "deployment.succeeded"; }

  [[nodiscard]] std::string_view signature_header() const override { return "x-vercel-signature"; }
  [[nodiscard]] model::Headers envelope(const EnvelopeInput& in) const override;
  model::Headers sign(model::HttpRequest& req, const SignParams& params) const override;
  [[nodiscard]] Verdict verify(const model::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] EventInfo event_info(const model::HttpRequest& req) const override;
};

} // namespace hooktool::providers
