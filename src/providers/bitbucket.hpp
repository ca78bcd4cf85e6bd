#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// Bitbucket Cloud: X-Hub-Signature "sha256=<hex HMAC-SHA256 of the body>"; the event is the
// X-Event-Key header ("repo:push"), the delivery X-Request-UUID.
class BitbucketProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "bitbucket"; }
  [[nodiscard]] std::string_view description() const override {
    return "Bitbucket: X-Hub-Signature sha256=<hex HMAC-SHA256 of the body>, X-Event-Key";
  }
  [[nodiscard]] std::string_view default_event() const override { return "repo:push"; }
  [[nodiscard]] std::int64_t delivery_timeout_s() const override { return 10; }
  bool set_unknown_event(model::HttpRequest& req) const override;

  [[nodiscard]] std::string_view signature_header() const override { return "X-Hub-Signature"; }
  [[nodiscard]] model::Headers envelope(const EnvelopeInput& in) const override;
  model::Headers sign(model::HttpRequest& req, const SignParams& params) const override;
  [[nodiscard]] Verdict verify(const model::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] EventInfo event_info(const model::HttpRequest& req) const override;
  [[nodiscard]] bool detect(const model::Headers& headers) const override;
  void tamper_signature(model::Headers& headers) const override;
  void mark_retry(model::Headers& headers, int attempt) const override;
};

} // namespace hooktool::providers
