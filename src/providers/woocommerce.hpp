#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// WooCommerce: X-WC-Webhook-Signature = base64 HMAC-SHA256 of the body, with the topic, resource,
// event, webhook id and delivery id in X-WC-Webhook-* headers. The ping WooCommerce posts when
// a webhook is saved is a form body "webhook_id=<id>" with only its User-Agent (WooCommerce
// itself leaves it unsigned; hooktool signs it so that a handler's check can be exercised).
class WoocommerceProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "woocommerce"; }
  [[nodiscard]] std::string_view description() const override {
    return "WooCommerce: X-WC-Webhook-Signature <base64 HMAC-SHA256 of the body>";
  }
  [[nodiscard]] std::string_view default_event() const override { return "order.created"; }
  [[nodiscard]] std::int64_t delivery_timeout_s() const override { return 60; }
  bool set_unknown_event(model::HttpRequest& req) const override;

  [[nodiscard]] std::string_view signature_header() const override {
    return "X-WC-Webhook-Signature";
  }
  [[nodiscard]] model::Headers envelope(const EnvelopeInput& in) const override;
  model::Headers sign(model::HttpRequest& req, const SignParams& params) const override;
  [[nodiscard]] Verdict verify(const model::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] EventInfo event_info(const model::HttpRequest& req) const override;
  [[nodiscard]] bool detect(const model::Headers& headers) const override;
};

} // namespace hooktool::providers
