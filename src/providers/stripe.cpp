#include "providers/stripe.hpp"

#include "crypto/crypto.hpp"
#include "providers/common.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

namespace hooktool::providers {

namespace {

// As Stripe's libraries read it: comma-separated key=value items, any number of v1.
constexpr detail::PairedScheme kScheme{.header = "Stripe-Signature"};

} // namespace

std::string StripeProvider::generate_secret() const {
  return "whsec_" + crypto::to_hex(crypto::random_bytes(32));
}

model::Headers StripeProvider::envelope(const EnvelopeInput& /*in*/) const {
  return {{"User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)"},
          {"Content-Type", "application/json; charset=utf-8"},
          {"Cache-Control", "no-cache"},
          {"Accept", "*/*; q=0.5, application/xml"}};
}

model::Headers StripeProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  return detail::sign_paired(kScheme, req, params);
}

Verdict StripeProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  return detail::verify_paired(*this, kScheme, req, params);
}

EventInfo StripeProvider::event_info(const model::HttpRequest& req) const {
  auto f = util::json_fields(req.body, {{"type"}, {"id"}});
  return {std::move(f[0]), std::move(f[1])};
}

void StripeProvider::tamper_signature(model::Headers& headers) const {
  detail::tamper_paired_signature(kScheme, headers);
}

void StripeProvider::tamper_timestamp(model::Headers& headers) const {
  detail::tamper_paired_timestamp(kScheme, headers);
}

std::optional<std::int64_t> StripeProvider::signed_timestamp(const model::Headers& headers) const {
  return detail::paired_timestamp(kScheme, headers);
}

} // namespace hooktool::providers
