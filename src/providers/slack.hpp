#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// Slack: X-Slack-Signature "v0=<hex>" over "v0:<ts>:<body>", X-Slack-Request-Timestamp seconds.
class SlackProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "slack"; }
  [[nodiscard]] std::string_view signature_header() const override { return "X-Slack-Signature"; }
  [[nodiscard]] Window window() const override { return Window::past; }
  [[nodiscard]] std::int64_t default_tolerance() const override { return 300; }
  [[nodiscard]] std::string generate_secret() const override;
  [[nodiscard]] core::Headers envelope(const EnvelopeInput& in) const override;
  core::Headers sign(core::HttpRequest& req, const SignParams& params) const override;
  [[nodiscard]] Verdict verify(const core::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] std::optional<std::int64_t>
  signed_timestamp(const core::Headers& headers) const override;
  [[nodiscard]] EventInfo event_info(const core::HttpRequest& req) const override;
  [[nodiscard]] bool detect(const core::Headers& headers) const override;
  void tamper_timestamp(core::Headers& headers) const override;
  void mark_retry(core::Headers& headers, int attempt) const override;
};

} // namespace hooktool::providers
