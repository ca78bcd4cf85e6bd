#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// GitHub: X-Hub-Signature-256 "sha256=<hex>" over the body (plus legacy sha1 when sending).
class GithubProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "github"; }
  [[nodiscard]] std::string_view description() const override {
    return "GitHub: X-Hub-Signature-256 sha256=<hex HMAC-SHA256 of the body> (and legacy sha1)";
  }
  [[nodiscard]] std::string_view default_event() const override { return "push"; }
  [[nodiscard]] std::int64_t delivery_timeout_s() const override { return 10; }
  [[nodiscard]] std::vector<std::string_view> signature_headers() const override {
    return {"X-Hub-Signature-256", "X-Hub-Signature"};
  }
  bool set_unknown_event(model::HttpRequest& req) const override;

  [[nodiscard]] std::string_view signature_header() const override { return "X-Hub-Signature-256"; }
  [[nodiscard]] model::Headers envelope(const EnvelopeInput& in) const override;
  model::Headers sign(model::HttpRequest& req, const SignParams& params) const override;
  [[nodiscard]] Verdict verify(const model::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] EventInfo event_info(const model::HttpRequest& req) const override;
  [[nodiscard]] bool detect(const model::Headers& headers) const override;
  void tamper_signature(model::Headers& headers) const override;
  [[nodiscard]] std::string_view other_algorithm() const override { return "HMAC-SHA1"; }
  // The sha256 header holding sha256=<hex HMAC-SHA1 of the body>.
  [[nodiscard]] bool signed_with_other_algorithm(const model::HttpRequest& req,
                                                 std::string_view secret) const override;
};

} // namespace hooktool::providers
