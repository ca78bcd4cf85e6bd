#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// Adyen standard notifications: each NotificationRequestItem carries
// additionalData.hmacSignature = base64 HMAC-SHA256, keyed with the hex-decoded HMAC key, of
// pspReference:originalReference:merchantAccountCode:merchantReference:amount.value:
// amount.currency:eventCode:success (missing fields empty, nothing escaped). Nothing else in
// the body is signed; no timestamp.
class AdyenProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "adyen"; }
  [[nodiscard]] std::string_view description() const override {
    return "Adyen: additionalData.hmacSignature <base64 HMAC-SHA256 (hex-decoded key) of each "
           "item's pspReference:…:eventCode:success>";
  }
  [[nodiscard]] std::string_view default_event() const override { return "AUTHORISATION"; }
  [[nodiscard]] std::int64_t delivery_timeout_s() const override { return 10; }
  // No header carries the signature.
  [[nodiscard]] std::string_view signature_header() const override { return {}; }
  [[nodiscard]] std::vector<std::string_view> signature_headers() const override { return {}; }
  [[nodiscard]] bool signs_body_text() const override { return false; }
  // The HMAC key is hex (Adyen shows 64 hex characters), used decoded.
  void validate_secret(std::string_view secret) const override;
  [[nodiscard]] std::string generate_secret() const override;
  bool set_unknown_event(model::HttpRequest& req) const override;
  [[nodiscard]] model::Headers envelope(const EnvelopeInput& in) const override;
  // Writes additionalData.hmacSignature into every item of the body; returns no headers.
  model::Headers sign(model::HttpRequest& req, const SignParams& params) const override;
  // Valid when every item's hmacSignature matches.
  [[nodiscard]] Verdict verify(const model::HttpRequest& req,
                               const VerifyParams& params) const override;
  // The first item's eventCode; id "<eventCode>:<pspReference>" (Adyen's duplicate key).
  [[nodiscard]] EventInfo event_info(const model::HttpRequest& req) const override;
  // Adyen's sender: User-Agent "Adyen HttpClient <version>".
  [[nodiscard]] bool detect(const model::Headers& headers) const override;
  void tamper_signature(model::Headers& headers) const override;
  // On every item's additionalData.hmacSignature: the signatures are in the body.
  std::string drill_signature(model::HttpRequest& req, SignatureDrill drill) const override;
};

} // namespace hooktool::providers
