#include "providers/calendly.hpp"

#include "crypto/crypto.hpp"
#include "providers/common.hpp"
#include "util/json.hpp"

namespace hooktool::providers {

namespace {

constexpr detail::PairedScheme kScheme{.header = "Calendly-Webhook-Signature"};

} // namespace

std::string CalendlyProvider::generate_secret() const {
  // Signing keys are chosen by the subscriber; 32 random bytes, base64url without padding.
  auto key = crypto::base64_encode(crypto::random_bytes(32));
  for (auto& c : key)
    c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!key.empty() && key.back() == '=')
    key.pop_back();
  return key;
}

model::Headers CalendlyProvider::envelope(const EnvelopeInput& /*in*/) const {
  return {{"Content-Type", "application/json; charset=utf-8"}};
}

model::Headers CalendlyProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  return detail::sign_paired(kScheme, req, params);
}

Verdict CalendlyProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  return detail::verify_paired(*this, kScheme, req, params);
}

std::optional<std::int64_t>
CalendlyProvider::signed_timestamp(const model::Headers& headers) const {
  return detail::paired_timestamp(kScheme, headers);
}

EventInfo CalendlyProvider::event_info(const model::HttpRequest& req) const {
  // Deliveries carry no event id: the resource's URI (the invitee, the submission) is unique.
  auto f = util::json_fields(req.body, {{"event"}, {"payload", "uri"}});
  return {std::move(f[0]), std::move(f[1])};
}

bool CalendlyProvider::set_unknown_event(model::HttpRequest& req) const {
  return detail::set_json_member(req.body, "event", "hooktool.unknown_event");
}

void CalendlyProvider::tamper_signature(model::Headers& headers) const {
  detail::tamper_paired_signature(kScheme, headers);
}

void CalendlyProvider::tamper_timestamp(model::Headers& headers) const {
  detail::tamper_paired_timestamp(kScheme, headers);
}

} // namespace hooktool::providers
