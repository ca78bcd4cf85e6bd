#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// Zoom: x-zm-signature "v0=<hex>" over "v0:<x-zm-request-timestamp>:<body>"; no window. The
// endpoint.url_validation handshake is answered with plainToken and its HMAC.
class ZoomProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "zoom"; }
  [[nodiscard]] std::string_view description() const override {
    return "Zoom: x-zm-signature v0=<hex HMAC-SHA256 of \"v0:<ts>:<body>\">";
  }
  [[nodiscard]] std::string_view default_event() const override { return "meeting.started"; }
  [[nodiscard]] std::int64_t delivery_timeout_s() const override { return 3; }
  [[nodiscard]] std::string_view signature_header() const override { return "x-zm-signature"; }
  // Zoom's own receivers (Rivet, the webhook sample) check JSON.stringify of the parsed body.
  [[nodiscard]] bool signs_body_text() const override { return false; }
  bool set_unknown_event(model::HttpRequest& req) const override;
  [[nodiscard]] model::Headers envelope(const EnvelopeInput& in) const override;
  model::Headers sign(model::HttpRequest& req, const SignParams& params) const override;
  [[nodiscard]] Verdict verify(const model::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] std::optional<std::int64_t>
  signed_timestamp(const model::Headers& headers) const override;
  [[nodiscard]] EventInfo event_info(const model::HttpRequest& req) const override;
  [[nodiscard]] bool detect(const model::Headers& headers) const override;
  void tamper_timestamp(model::Headers& headers) const override;
  [[nodiscard]] std::string_view handshake_event() const override {
    return "endpoint.url_validation";
  }
  [[nodiscard]] std::optional<HandshakeAnswer>
  handshake_answer(const model::HttpRequest& req, std::string_view secret) const override;
};

} // namespace hooktool::providers
