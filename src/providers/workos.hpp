#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// WorkOS: WorkOS-Signature "t=<ms>, v1=<hex>" (a space after the comma) over "<ms>.<body>",
// HMAC-SHA256, window 180 s past. @workos-inc/node 8 signs JSON.stringify of the parsed body,
// so bodies go out compact with non-ASCII unescaped, and a re-serialised body still verifies
// there.
class WorkosProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "workos"; }
  [[nodiscard]] std::string_view description() const override {
    return "WorkOS: WorkOS-Signature t=<ms>, v1=<hex HMAC-SHA256 of \"<ms>.<body>\">";
  }
  [[nodiscard]] std::string_view default_event() const override { return "user.created"; }
  [[nodiscard]] std::string_view signature_header() const override { return "WorkOS-Signature"; }
  // The SDK's own check passes a signature made over the re-serialised JSON (see above).
  [[nodiscard]] bool signs_body_text() const override { return false; }
  [[nodiscard]] Window window() const override { return Window::past; }
  [[nodiscard]] std::int64_t default_tolerance() const override { return 180; }
  [[nodiscard]] std::string generate_secret() const override;
  [[nodiscard]] model::Headers envelope(const EnvelopeInput& in) const override;
  model::Headers sign(model::HttpRequest& req, const SignParams& params) const override;
  [[nodiscard]] Verdict verify(const model::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] std::optional<std::int64_t>
  signed_timestamp(const model::Headers& headers) const override;
  [[nodiscard]] EventInfo event_info(const model::HttpRequest& req) const override;
  bool set_unknown_event(model::HttpRequest& req) const override;
  void tamper_signature(model::Headers& headers) const override;
  void tamper_timestamp(model::Headers& headers) const override;
};

} // namespace hooktool::providers
