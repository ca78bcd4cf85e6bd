#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// Typeform: Typeform-Signature "sha256=<base64 HMAC-SHA256 of the body>".
class TypeformProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "typeform"; }
  [[nodiscard]] std::string_view description() const override {
    return "Typeform: Typeform-Signature sha256=<base64 HMAC-SHA256 of the body>";
  }
  [[nodiscard]] std::string_view default_event() const override { return "form_response"; }
  [[nodiscard]] std::int64_t delivery_timeout_s() const override { return 30; }
  bool set_unknown_event(model::HttpRequest& req) const override;

  [[nodiscard]] std::string_view signature_header() const override { return "Typeform-Signature"; }
  [[nodiscard]] model::Headers envelope(const EnvelopeInput& in) const override;
  model::Headers sign(model::HttpRequest& req, const SignParams& params) const override;
  [[nodiscard]] Verdict verify(const model::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] EventInfo event_info(const model::HttpRequest& req) const override;
  [[nodiscard]] bool detect(const model::Headers& headers) const override;
  void tamper_signature(model::Headers& headers) const override;
};

} // namespace hooktool::providers
