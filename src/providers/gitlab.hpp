#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// GitLab: X-Gitlab-Token carries the secret token itself (compared in constant time; nothing
// covers the body). A secret in the signing-token form "whsec_<base64>" signs instead as
// Standard Webhooks do: webhook-signature "v1,<base64 HMAC-SHA256 of
// "<webhook-id>.<webhook-timestamp>.<body>">", webhook-id = Idempotency-Key.
class GitlabProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "gitlab"; }
  [[nodiscard]] std::string_view description() const override {
    return "GitLab: X-Gitlab-Token <the secret token>; with a whsec_ signing token, "
           "webhook-signature v1,<base64 HMAC-SHA256 of \"<id>.<ts>.<body>\">";
  }
  [[nodiscard]] std::string_view default_event() const override { return "push"; }
  [[nodiscard]] std::int64_t delivery_timeout_s() const override { return 10; }
  [[nodiscard]] std::string_view signature_header() const override { return "X-Gitlab-Token"; }
  [[nodiscard]] std::vector<std::string_view> signature_headers() const override {
    return {"X-Gitlab-Token", "webhook-signature"};
  }
  // The secret token covers nothing of the body (a signing token does).
  [[nodiscard]] bool signs_body_text() const override { return false; }
  bool set_unknown_event(model::HttpRequest& req) const override;
  [[nodiscard]] model::Headers envelope(const EnvelopeInput& in) const override;
  model::Headers sign(model::HttpRequest& req, const SignParams& params) const override;
  // A webhook-signature is checked against a whsec_ secret (±300 s unless a tolerance is
  // given), an X-Gitlab-Token against any other secret.
  [[nodiscard]] Verdict verify(const model::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] std::optional<std::int64_t>
  signed_timestamp(const model::Headers& headers) const override;
  // Body object_kind, "." + object_attributes.action when present; id: Idempotency-Key.
  [[nodiscard]] EventInfo event_info(const model::HttpRequest& req) const override;
  // X-Gitlab-Event: before standard in the registry, since signed deliveries carry webhook-*.
  [[nodiscard]] bool detect(const model::Headers& headers) const override;
  void tamper_signature(model::Headers& headers) const override;
  void tamper_timestamp(model::Headers& headers) const override;
};

} // namespace hooktool::providers
