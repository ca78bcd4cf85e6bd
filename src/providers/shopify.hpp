#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// Shopify: X-Shopify-Hmac-Sha256 = base64 HMAC-SHA256 of the body; topic, shop, version and
// webhook id headers are mandatory (Shopify's library rejects a delivery without them).
class ShopifyProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "shopify"; }
  [[nodiscard]] std::string_view signature_header() const override {
    return "X-Shopify-Hmac-Sha256";
  }
  [[nodiscard]] std::string generate_secret() const override;
  [[nodiscard]] core::Headers envelope(const EnvelopeInput& in) const override;
  core::Headers sign(core::HttpRequest& req, const SignParams& params) const override;
  [[nodiscard]] Verdict verify(const core::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] EventInfo event_info(const core::HttpRequest& req) const override;
  [[nodiscard]] bool detect(const core::Headers& headers) const override;
  void tamper_signature(core::Headers& headers) const override;
};

} // namespace hooktool::providers
