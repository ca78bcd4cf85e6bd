#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// Twilio: X-Twilio-Signature = base64 HMAC-SHA1 of the full URL followed by the sorted form
// parameters; JSON bodies sign the URL carrying bodySHA256=<hex sha256(body)> instead.
class TwilioProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "twilio"; }
  [[nodiscard]] std::string_view description() const override {
    return "Twilio: X-Twilio-Signature <base64 HMAC-SHA1 of the URL and sorted form parameters>";
  }
  [[nodiscard]] std::string_view default_event() const override { return "message.incoming"; }
  [[nodiscard]] std::int64_t delivery_timeout_s() const override { return 15; }
  [[nodiscard]] bool signs_url() const override { return true; }
  [[nodiscard]] bool signs_body_text() const override { return false; }
  // Twilio posts each webhook to the URL set for it: no event type to change.
  bool set_unknown_event(model::HttpRequest& /*req*/) const override { return false; }

  [[nodiscard]] std::string_view signature_header() const override { return "X-Twilio-Signature"; }
  [[nodiscard]] std::string generate_secret() const override;
  [[nodiscard]] model::Headers envelope(const EnvelopeInput& in) const override;
  model::Headers sign(model::HttpRequest& req, const SignParams& params) const override;
  [[nodiscard]] Verdict verify(const model::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] EventInfo event_info(const model::HttpRequest& req) const override;
  [[nodiscard]] bool detect(const model::Headers& headers) const override;
};

// The string Twilio signs for a form delivery: url + each name and value, names sorted
// bytewise, a repeated name's distinct values sorted too (as twilio-node does).
std::string twilio_signing_string(std::string_view url, std::string_view form_body);

} // namespace hooktool::providers
