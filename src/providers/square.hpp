#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// Square: x-square-hmacsha256-signature = base64 HMAC-SHA256 of the notification URL followed
// by the body; the URL is the one the handler sees, byte for byte (as WebhooksHelper takes it).
class SquareProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "square"; }
  [[nodiscard]] std::string_view description() const override {
    return "Square: x-square-hmacsha256-signature <base64 HMAC-SHA256 of the notification URL "
           "+ body>";
  }
  [[nodiscard]] std::string_view default_event() const override { return "payment.updated"; }
  [[nodiscard]] std::int64_t delivery_timeout_s() const override { return 10; }
  [[nodiscard]] bool signs_url() const override { return true; }
  [[nodiscard]] std::vector<std::string_view> signature_headers() const override {
    return {"x-square-hmacsha256-signature", "x-square-signature"};
  }

  [[nodiscard]] std::string_view signature_header() const override {
    return "x-square-hmacsha256-signature";
  }
  [[nodiscard]] std::string generate_secret() const override;
  [[nodiscard]] model::Headers envelope(const EnvelopeInput& in) const override;
  model::Headers sign(model::HttpRequest& req, const SignParams& params) const override;
  [[nodiscard]] Verdict verify(const model::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] EventInfo event_info(const model::HttpRequest& req) const override;
  [[nodiscard]] bool detect(const model::Headers& headers) const override;
  void mark_retry(model::Headers& headers, int attempt) const override;
};

} // namespace hooktool::providers
