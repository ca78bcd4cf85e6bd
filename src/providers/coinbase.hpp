#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// Coinbase Commerce: X-CC-Webhook-Signature = hex HMAC-SHA256 of the body, which must hold an
// "event" object (coinbase-commerce-node's verifyEventBody rejects anything else).
class CoinbaseProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "coinbase"; }
  [[nodiscard]] std::string_view description() const override {
    return "Coinbase Commerce: X-CC-Webhook-Signature <hex HMAC-SHA256 of the body>";
  }
  [[nodiscard]] std::string_view default_event() const override { return "charge:confirmed"; }
  bool set_unknown_event(model::HttpRequest& req) const override;

  [[nodiscard]] std::string_view signature_header() const override {
    return "X-CC-Webhook-Signature";
  }
  [[nodiscard]] std::string generate_secret() const override;
  [[nodiscard]] model::Headers envelope(const EnvelopeInput& in) const override;
  model::Headers sign(model::HttpRequest& req, const SignParams& params) const override;
  [[nodiscard]] Verdict verify(const model::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] EventInfo event_info(const model::HttpRequest& req) const override;
  [[nodiscard]] bool detect(const model::Headers& headers) const override;
};

} // namespace hooktool::providers
