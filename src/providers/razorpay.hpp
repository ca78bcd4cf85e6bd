#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// Razorpay: X-Razorpay-Signature = hex HMAC-SHA256 of the body; X-Razorpay-Event-Id names the
// event (the same on every redelivery).
class RazorpayProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "razorpay"; }
  [[nodiscard]] std::string_view description() const override {
    return "Razorpay: X-Razorpay-Signature <hex HMAC-SHA256 of the body>";
  }
  [[nodiscard]] std::string_view default_event() const override { return "payment.captured"; }
  [[nodiscard]] std::int64_t delivery_timeout_s() const override { return 5; }
  bool set_unknown_event(model::HttpRequest& req) const override;

  [[nodiscard]] std::string_view signature_header() const override {
    return "X-Razorpay-Signature";
  }
  [[nodiscard]] model::Headers envelope(const EnvelopeInput& in) const override;
  model::Headers sign(model::HttpRequest& req, const SignParams& params) const override;
  [[nodiscard]] Verdict verify(const model::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] EventInfo event_info(const model::HttpRequest& req) const override;
  [[nodiscard]] bool detect(const model::Headers& headers) const override;
};

} // namespace hooktool::providers
