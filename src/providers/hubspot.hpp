#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// HubSpot (signature v3): X-HubSpot-Signature-v3 = base64 HMAC-SHA256 of method + URL + body +
// X-HubSpot-Request-Timestamp (Unix ms) with the app's client secret; the URL is the one the
// handler sees, signed as written. Window 300 s into the past. send also adds the v1 header
// (hex SHA-256 of secret + body), but the verdict rests on v3 alone.
class HubspotProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "hubspot"; }
  [[nodiscard]] std::string_view description() const override {
    return "HubSpot: X-HubSpot-Signature-v3 <base64 HMAC-SHA256 of method + URL + body + "
           "ms timestamp>";
  }
  [[nodiscard]] std::string_view default_event() const override { return "contact.creation"; }
  // HubSpot counts a delivery as failed when no answer comes within 5 seconds.
  [[nodiscard]] std::int64_t delivery_timeout_s() const override { return 5; }
  [[nodiscard]] std::string_view signature_header() const override {
    return "X-HubSpot-Signature-v3";
  }
  [[nodiscard]] std::vector<std::string_view> signature_headers() const override {
    return {signature_header(), "X-HubSpot-Signature"};
  }
  [[nodiscard]] bool signs_url() const override { return true; }
  [[nodiscard]] Window window() const override { return Window::past; }
  [[nodiscard]] std::int64_t default_tolerance() const override { return 300; }
  [[nodiscard]] std::string generate_secret() const override;
  [[nodiscard]] model::Headers envelope(const EnvelopeInput& in) const override;
  model::Headers sign(model::HttpRequest& req, const SignParams& params) const override;
  [[nodiscard]] Verdict verify(const model::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] std::optional<std::int64_t>
  signed_timestamp(const model::Headers& headers) const override;
  [[nodiscard]] EventInfo event_info(const model::HttpRequest& req) const override;
  [[nodiscard]] bool detect(const model::Headers& headers) const override;
  bool set_unknown_event(model::HttpRequest& req) const override;
  void tamper_signature(model::Headers& headers) const override;
  void tamper_timestamp(model::Headers& headers) const override;
};

} // namespace hooktool::providers
