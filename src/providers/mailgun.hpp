#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// Mailgun: the signature travels in the body, "signature": {timestamp, token, signature = hex
// HMAC-SHA256 of timestamp + token} (form bodies: the three fields). Only timestamp and token
// are signed, not the event data: a tamper must change one of them. No window is documented.
class MailgunProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "mailgun"; }
  [[nodiscard]] std::string_view description() const override {
    return "Mailgun: body signature {timestamp, token, signature = hex HMAC-SHA256 of timestamp + "
           "token}";
  }
  [[nodiscard]] std::string_view default_event() const override { return "delivered"; }
  // No header carries the signature.
  [[nodiscard]] std::string_view signature_header() const override { return {}; }
  [[nodiscard]] std::vector<std::string_view> signature_headers() const override { return {}; }
  // Each signing draws a fresh token unless the body already carries one.
  [[nodiscard]] bool deterministic() const override { return false; }
  [[nodiscard]] bool signs_body_text() const override { return false; }
  [[nodiscard]] std::string generate_secret() const override;
  bool set_unknown_event(model::HttpRequest& req) const override;
  [[nodiscard]] model::Headers envelope(const EnvelopeInput& in) const override;
  // Writes signature.timestamp and signature.signature into the body, keeping a token the body
  // has (a re-sign) or drawing one; returns no headers.
  model::Headers sign(model::HttpRequest& req, const SignParams& params) const override;
  // With an explicit tolerance, the signed timestamp must lie within it either way.
  [[nodiscard]] Verdict verify(const model::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] EventInfo event_info(const model::HttpRequest& req) const override;
  // Mailgun's sender: User-Agent "mailgun/treq-<version>".
  [[nodiscard]] bool detect(const model::Headers& headers) const override;
  void tamper_signature(model::Headers& headers) const override;
  // On signature.signature (the form's signature field): the signature is in the body.
  std::string drill_signature(model::HttpRequest& req, SignatureDrill drill) const override;
  void tamper_timestamp(model::Headers& headers) const override;
};

} // namespace hooktool::providers
