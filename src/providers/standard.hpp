#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// Which header family a Standard Webhooks sender uses.
enum class StandardFlavor { standard, svix };

// Standard Webhooks: webhook-signature "v1,<base64>" over "<id>.<ts>.<body>", key = base64 of
// what follows "whsec_". The svix flavour sends svix-* headers; both verify either family.
class StandardProvider final : public Provider {
public:
  explicit StandardProvider(StandardFlavor flavor) : flavor_(flavor) {}
  [[nodiscard]] std::string_view id() const override;
  [[nodiscard]] std::string_view description() const override;
  [[nodiscard]] std::string_view fixture_family() const override { return "standard"; }
  [[nodiscard]] std::string_view secret_family() const override { return "standard"; }
  [[nodiscard]] std::string_view default_event() const override { return "user.created"; }
  [[nodiscard]] std::vector<std::string_view> signature_headers() const override {
    return {"webhook-signature", "svix-signature"};
  }

  [[nodiscard]] std::string_view signature_header() const override;
  [[nodiscard]] Window window() const override { return Window::past_and_future; }
  [[nodiscard]] std::int64_t default_tolerance() const override { return 300; }
  void validate_secret(std::string_view secret) const override;
  [[nodiscard]] std::string generate_secret() const override;
  [[nodiscard]] model::Headers envelope(const EnvelopeInput& in) const override;
  model::Headers sign(model::HttpRequest& req, const SignParams& params) const override;
  [[nodiscard]] Verdict verify(const model::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] std::optional<std::int64_t>
  signed_timestamp(const model::Headers& headers) const override;
  [[nodiscard]] EventInfo event_info(const model::HttpRequest& req) const override;
  [[nodiscard]] bool detect(const model::Headers& headers) const override;
  void tamper_signature(model::Headers& headers) const override;
  void tamper_timestamp(model::Headers& headers) const override;

private:
  [[nodiscard]] std::string prefix() const;
  StandardFlavor flavor_;
};

// The HMAC key of a Standard Webhooks secret: base64-decoded after an optional "whsec_".
std::optional<std::string> standard_key(std::string_view secret);

} // namespace hooktool::providers
