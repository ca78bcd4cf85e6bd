#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// Slack: X-Slack-Signature "v0=<hex>" over "v0:<ts>:<body>", X-Slack-Request-Timestamp seconds;
// the url_verification handshake is answered with its challenge.
class SlackProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "slack"; }
  [[nodiscard]] std::string_view description() const override {
    return "Slack: X-Slack-Signature v0=<hex HMAC-SHA256 of \"v0:<ts>:<body>\">";
  }
  [[nodiscard]] std::string_view default_event() const override { return "app_mention"; }
  [[nodiscard]] std::int64_t delivery_timeout_s() const override { return 3; }
  bool set_unknown_event(model::HttpRequest& req) const override;

  [[nodiscard]] std::string_view signature_header() const override { return "X-Slack-Signature"; }
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
  void tamper_timestamp(model::Headers& headers) const override;
  void mark_retry(model::Headers& headers, int attempt) const override;
  [[nodiscard]] std::string_view handshake_event() const override { return "url_verification"; }
  // {"challenge": …} as JSON (Slack takes it as text/plain, form or JSON alike).
  [[nodiscard]] std::optional<HandshakeAnswer>
  handshake_answer(const model::HttpRequest& req, std::string_view secret) const override;
  [[nodiscard]] std::optional<std::string>
  handshake_problem(const model::HttpRequest& req, std::string_view secret,
                    const HandshakeAnswer& reply) const override;
};

} // namespace hooktool::providers
