#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// Mux: Mux-Signature "t=<ts>,v1=<hex>" over "<ts>.<body>", HMAC-SHA256, window 300 s past.
class MuxProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "mux"; }
  [[nodiscard]] std::string_view description() const override {
    return "Mux: Mux-Signature t=<ts>,v1=<hex HMAC-SHA256 of \"<ts>.<body>\">";
  }
  [[nodiscard]] std::string_view default_event() const override { return "video.asset.ready"; }
  [[nodiscard]] std::string_view signature_header() const override { return "Mux-Signature"; }
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
  void tamper_signature(model::Headers& headers) const override;
  void tamper_timestamp(model::Headers& headers) const override;
};

} // namespace hooktool::providers
