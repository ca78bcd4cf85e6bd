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

std::vector<SecretVariant> StripeProvider::secret_variants(std::string_view secret) const {
  constexpr std::string_view prefix = "whsec_";
  auto out = Provider::secret_variants(secret);
  if (util::starts_with(secret, prefix))
    out.insert(out.begin(), {std::string(secret.substr(prefix.size())), "secret without whsec_",
                             "the secret without its whsec_ prefix (Stripe keys the HMAC with "
                             "the whole whsec_ string)"});
  else
    out.insert(out.begin(), {std::string(prefix) + std::string(secret), "secret with whsec_",
                             "the secret with a whsec_ prefix (the sender used the whole "
                             "whsec_ string; the secret given here lacks the prefix)"});
  return out;
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
