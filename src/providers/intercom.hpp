#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// Intercom: X-Hub-Signature "sha1=<hex HMAC-SHA1 of the body>" with the app's client secret.
// GitHub and Bitbucket use the same header name: detection rests on Intercom's User-Agent, or
// on a sha1 X-Hub-Signature without GitHub's or Bitbucket's headers.
class IntercomProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "intercom"; }
  [[nodiscard]] std::string_view description() const override {
    return "Intercom: X-Hub-Signature sha1=<hex HMAC-SHA1 of the body>";
  }
  [[nodiscard]] std::string_view default_event() const override {
    return "conversation.user.created";
  }
  bool set_unknown_event(model::HttpRequest& req) const override;

  [[nodiscard]] std::string_view signature_header() const override { return "X-Hub-Signature"; }
  [[nodiscard]] model::Headers envelope(const EnvelopeInput& in) const override;
  model::Headers sign(model::HttpRequest& req, const SignParams& params) const override;
  [[nodiscard]] Verdict verify(const model::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] EventInfo event_info(const model::HttpRequest& req) const override;
  [[nodiscard]] bool detect(const model::Headers& headers) const override;
  void tamper_signature(model::Headers& headers) const override;
};

} // namespace hooktool::providers
