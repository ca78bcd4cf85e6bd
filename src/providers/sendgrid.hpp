#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// SendGrid's signed Event Webhook: X-Twilio-Email-Event-Webhook-Signature "<base64 DER ECDSA
// P-256/SHA-256 of timestamp + payload>", X-Twilio-Email-Event-Webhook-Timestamp seconds.
// Signed with a PKCS#8 PEM private key, verified with the base64 DER public key SendGrid's
// settings show. ECDSA signatures are randomised: deterministic() is false.
class SendgridProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "sendgrid"; }
  [[nodiscard]] std::string_view description() const override {
    return "SendGrid Event Webhook: X-Twilio-Email-Event-Webhook-Signature <base64 DER ECDSA "
           "P-256/SHA-256 of timestamp + payload>, keys: PKCS#8 PEM / base64 DER public key";
  }
  [[nodiscard]] std::string_view default_event() const override { return "delivered"; }
  [[nodiscard]] std::string_view signature_header() const override {
    return "X-Twilio-Email-Event-Webhook-Signature";
  }
  [[nodiscard]] bool deterministic() const override { return false; }
  bool set_unknown_event(model::HttpRequest& req) const override;
  void validate_secret(std::string_view secret) const override;
  [[nodiscard]] std::string generate_secret() const override;
  [[nodiscard]] bool asymmetric() const override { return true; }
  [[nodiscard]] std::string verifying_key(std::string_view secret) const override;
  void validate_verifying_key(std::string_view key) const override;
  [[nodiscard]] model::Headers envelope(const EnvelopeInput& in) const override;
  model::Headers sign(model::HttpRequest& req, const SignParams& params) const override;
  [[nodiscard]] Verdict verify(const model::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] std::optional<std::int64_t>
  signed_timestamp(const model::Headers& headers) const override;
  [[nodiscard]] EventInfo event_info(const model::HttpRequest& req) const override;
  [[nodiscard]] bool detect(const model::Headers& headers) const override;
  void tamper_timestamp(model::Headers& headers) const override;
};

// The DER SubjectPublicKeyInfo of a SendGrid verification key: base64 DER as SendGrid shows
// it, or a PEM "PUBLIC KEY" block. Usage error when it is neither, or not a P-256 key.
std::string sendgrid_public_der(std::string_view key);

} // namespace hooktool::providers
