#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// Twilio: X-Twilio-Signature = base64 HMAC-SHA1 of the full URL followed by the sorted form
// parameters; JSON bodies sign the URL carrying bodySHA256=<hex sha256(body)> instead.
class TwilioProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "twilio"; }
  [[nodiscard]] std::string_view signature_header() const override { return "X-Twilio-Signature"; }
  [[nodiscard]] std::string generate_secret() const override;
  [[nodiscard]] core::Headers envelope(const EnvelopeInput& in) const override;
  core::Headers sign(core::HttpRequest& req, const SignParams& params) const override;
  [[nodiscard]] Verdict verify(const core::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] EventInfo event_info(const core::HttpRequest& req) const override;
  [[nodiscard]] bool detect(const core::Headers& headers) const override;
};

// The string Twilio signs for a form delivery: url + each name and value, names sorted
// bytewise, a repeated name's distinct values sorted too (as twilio-node does).
std::string twilio_signing_string(std::string_view url, std::string_view form_body);

} // namespace hooktool::providers
