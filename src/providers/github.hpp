#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// GitHub: X-Hub-Signature-256 "sha256=<hex>" over the body (plus legacy sha1 when sending).
class GithubProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "github"; }
  [[nodiscard]] std::string_view signature_header() const override { return "X-Hub-Signature-256"; }
  [[nodiscard]] core::Headers envelope(const EnvelopeInput& in) const override;
  core::Headers sign(core::HttpRequest& req, const SignParams& params) const override;
  [[nodiscard]] Verdict verify(const core::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] EventInfo event_info(const core::HttpRequest& req) const override;
  [[nodiscard]] bool detect(const core::Headers& headers) const override;
  void tamper_signature(core::Headers& headers) const override;
};

} // namespace hooktool::providers
